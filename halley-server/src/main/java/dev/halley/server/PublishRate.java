package dev.halley.server;

import java.util.function.LongSupplier;

/**
 * The per-connection publish budget: a token bucket of {@code publish-rate} messages per second
 * (burst of the same size). Over the budget a publish is refused with
 * {@link dev.halley.core.ReplyError#TOO_MANY}; {@link #MAX_STRIKES} refusals in a row end the
 * connection. Owned by one event loop: not thread-safe.
 */
public final class PublishRate {
    /** Refusals in a row after which the connection is closed. */
    public static final int MAX_STRIKES = 10;

    private final int perSecond;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;
    private int strikes;

    public PublishRate(int perSecond) {
        this(perSecond, System::nanoTime);
    }

    /** With a clock in nanoseconds (tests). */
    public PublishRate(int perSecond, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        this.tokens = perSecond;
        this.last = nanoClock.getAsLong();
    }

    /** Takes one token; false when over budget. */
    public boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(perSecond, tokens + (now - last) / 1e9 * perSecond);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            strikes = 0;
            return true;
        }
        strikes++;
        return false;
    }

    /** Whether the client kept going over budget and should be disconnected. */
    public boolean exhausted() {
        return strikes >= MAX_STRIKES;
    }
}
