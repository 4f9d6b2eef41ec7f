package dev.halley.server.transport.websocket;

import dev.halley.server.DeadlineWheel;
import dev.halley.server.transport.stream.SilenceTimer;
import java.util.concurrent.TimeUnit;

/**
 * The liveness check of one WebSocket connection. After {@code period} without hearing from the
 * client it asks for a ping; if nothing (a pong or any other frame) arrives within the next
 * {@code period}, the connection is dead. A {@link SilenceTimer} over what is heard: one deadline
 * on the loop's wheel, re-armed once per period, not per frame; {@link #heard()} only records a
 * time. The connection's own object extends it ({@link WebSocketLifecycle}), so that it costs no
 * object of its own.
 *
 * <p>Event loop only.
 */
public abstract class Heartbeat extends SilenceTimer {
    private boolean awaitingPong;

    protected Heartbeat(DeadlineWheel wheel, long periodNanos) {
        super(wheel, periodNanos);
    }

    /** Sends a ping frame. */
    protected abstract void ping();

    /** Nothing was heard for a period after the ping: the connection is dead; close it. */
    protected abstract void dead();

    /** Any frame from the client. */
    public final void heard() {
        active();
        awaitingPong = false;
    }

    @Override
    protected final void silent() {
        if (awaitingPong) {
            stop();
            dead();
        } else {
            awaitingPong = true;
            ping();
        }
    }

    @Override
    public String toString() {
        return "Heartbeat[" + TimeUnit.NANOSECONDS.toMillis(periodNanos()) + "ms" + (awaitingPong ? ", awaiting pong" : "") + "]";
    }
}
