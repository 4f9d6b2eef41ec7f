package dev.halley.server.transport.websocket;

import dev.halley.server.transport.stream.SilenceTimer;
import io.netty.util.Timer;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The liveness check of one WebSocket connection. After {@code period} without hearing from the
 * client it asks for a ping; if nothing (a pong or any other frame) arrives within the next
 * {@code period}, the connection is dead. A {@link SilenceTimer} over what is heard: one timeout
 * at a time on the shared wheel, re-armed once per period, not per frame; {@link #heard()} only
 * records a time.
 *
 * <p>Everything but the timer callback runs on the connection's event loop; the callback hops
 * there before touching state.
 */
public final class Heartbeat {
    private final SilenceTimer silence;
    private final long periodNanos;
    private final Runnable ping;
    private final Runnable dead;
    private boolean awaitingPong;

    /**
     * @param ping sends a ping frame
     * @param dead closes the connection (nothing heard for a period after the ping)
     */
    public Heartbeat(Timer timer, EventExecutor loop, long periodNanos, Runnable ping, Runnable dead) {
        this.silence = new SilenceTimer(timer, loop, periodNanos, this::silent);
        this.periodNanos = periodNanos;
        this.ping = ping;
        this.dead = dead;
    }

    public void start() {
        silence.start();
    }

    /** Any frame from the client. */
    public void heard() {
        silence.active();
        awaitingPong = false;
    }

    public void stop() {
        silence.stop();
    }

    private void silent() {
        if (awaitingPong) {
            silence.stop();
            dead.run();
        } else {
            awaitingPong = true;
            ping.run();
        }
    }

    @Override
    public String toString() {
        return "Heartbeat[" + TimeUnit.NANOSECONDS.toMillis(periodNanos) + "ms" + (awaitingPong ? ", awaiting pong" : "") + "]";
    }
}
