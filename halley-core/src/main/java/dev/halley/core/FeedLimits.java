package dev.halley.core;

/**
 * Bounds of one client's {@link Feed}.
 *
 * @param maxMessages messages queued for the client before it is dropped as slow (default 1,000)
 * @param maxBytes bytes queued before it is dropped as slow (default 1 MiB)
 * @param maxSubscriptions channel patterns one connection may follow (default 128)
 */
public record FeedLimits(int maxMessages, long maxBytes, int maxSubscriptions) {
    public static final FeedLimits DEFAULT = new FeedLimits(1000, 1 << 20, 128);

    public FeedLimits {
        if (maxMessages < 1 || maxBytes < 1 || maxSubscriptions < 1) {
            throw new IllegalArgumentException("feed limits must be positive");
        }
    }
}
