package dev.halley.server.transport.websocket;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The liveness check of one WebSocket connection. After {@code period} without hearing from the
 * client it asks for a ping; if nothing (a pong or any other frame) arrives within the next
 * {@code period}, the connection is dead. One timeout at a time on the shared timer wheel,
 * re-armed once per period, not per frame; {@link #heard()} only records a time.
 *
 * <p>Everything but the timer callback runs on the connection's event loop; the callback hops
 * there before touching state.
 */
public final class Heartbeat {
    private final Timer timer;
    private final EventExecutor loop;
    private final long periodNanos;
    private final Runnable ping;
    private final Runnable dead;
    private long lastHeard;
    private boolean awaitingPong;
    private Timeout timeout;

    /**
     * @param ping sends a ping frame
     * @param dead closes the connection (nothing heard for a period after the ping)
     */
    public Heartbeat(Timer timer, EventExecutor loop, long periodNanos, Runnable ping, Runnable dead) {
        this.timer = timer;
        this.loop = loop;
        this.periodNanos = periodNanos;
        this.ping = ping;
        this.dead = dead;
    }

    public void start() {
        lastHeard = System.nanoTime();
        schedule(periodNanos);
    }

    /** Any frame from the client. */
    public void heard() {
        lastHeard = System.nanoTime();
        awaitingPong = false;
    }

    public void stop() {
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
    }

    private void schedule(long nanos) {
        timeout = timer.newTimeout(t -> {
            try {
                loop.execute(() -> check(t));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down with the server; the connection goes with it.
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void check(Timeout fired) {
        if (fired != timeout) {
            return; // stopped, or superseded
        }
        long idle = System.nanoTime() - lastHeard;
        if (idle < periodNanos) {
            schedule(periodNanos - idle);
        } else if (awaitingPong) {
            timeout = null;
            dead.run();
        } else {
            awaitingPong = true;
            schedule(periodNanos);
            ping.run();
        }
    }

    @Override
    public String toString() {
        return "Heartbeat[" + TimeUnit.NANOSECONDS.toMillis(periodNanos) + "ms" + (awaitingPong ? ", awaiting pong" : "") + "]";
    }
}
