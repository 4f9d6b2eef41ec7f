package dev.halley.core;

import java.time.Duration;

/**
 * How much history a channel keeps: at most {@code maxMessages}, none older than {@code maxAge}.
 * Channels idle (no publish, nothing held) for {@code idleExpiry} are forgotten; a forgotten
 * channel comes back with a new epoch.
 */
public record HistoryLimits(int maxMessages, Duration maxAge, Duration idleExpiry) {
    /** 100 messages and 300 s per channel; forgotten after an idle hour. */
    public static final HistoryLimits DEFAULT = new HistoryLimits(100, Duration.ofSeconds(300), Duration.ofHours(1));

    public HistoryLimits {
        if (maxMessages < 0 || maxAge.isNegative() || idleExpiry.compareTo(maxAge) < 0) {
            throw new IllegalArgumentException("history limits must be >= 0 and idle expiry >= max age");
        }
    }
}
