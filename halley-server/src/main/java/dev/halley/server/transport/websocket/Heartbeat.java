package dev.halley.server.transport.websocket;

import dev.halley.server.DeadlineWheel;
import dev.halley.server.transport.stream.SilenceTimer;
import java.util.concurrent.TimeUnit;

/**
 * The liveness check of one WebSocket connection. After {@code period} without hearing from the
 * client it asks for a ping; if nothing (a pong or any other frame) arrives within the next
 * {@code period}, the connection is dead. A {@link SilenceTimer} over what is heard: one deadline
 * on the loop's wheel, re-armed once per period, not per frame; {@link #heard()} only records a
 * time.
 *
 * <p>Event loop only.
 */
public final class Heartbeat extends SilenceTimer {
    private final Runnable ping;
    private final Runnable dead;
    private boolean awaitingPong;

    /**
     * @param ping sends a ping frame
     * @param dead closes the connection (nothing heard for a period after the ping)
     */
    public Heartbeat(DeadlineWheel wheel, long periodNanos, Runnable ping, Runnable dead) {
        super(wheel, periodNanos);
        this.ping = ping;
        this.dead = dead;
    }

    /** Any frame from the client. */
    public void heard() {
        active();
        awaitingPong = false;
    }

    @Override
    protected void silent() {
        if (awaitingPong) {
            stop();
            dead.run();
        } else {
            awaitingPong = true;
            ping.run();
        }
    }

    @Override
    public String toString() {
        return "Heartbeat[" + TimeUnit.NANOSECONDS.toMillis(periodNanos()) + "ms" + (awaitingPong ? ", awaiting pong" : "") + "]";
    }
}
