package dev.halley.server.transport.stream;

import dev.halley.server.EventLoops;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A silence watch on one stream or connection: after {@code period} without activity,
 * {@code onSilence} runs on its event loop (a stream writes a heartbeat; a WebSocket's
 * {@link dev.halley.server.transport.websocket.Heartbeat} pings, then gives up), and again every
 * {@code period} the silence lasts. One timeout at a time on the shared wheel; activity only
 * records the time ({@link #active()}), and when the timeout fires early it re-arms for the rest
 * of the silence, so a busy stream costs no rescheduling.
 *
 * <p>Used on the event loop only; the timer callback hops there.
 */
public final class SilenceTimer {
    private final Timer timer;
    private final EventExecutor loop;
    private final long periodNanos;
    private final Runnable onSilence;
    private long lastWriteNanos;
    private Timeout timeout;
    private boolean stopped;

    public SilenceTimer(Timer timer, EventExecutor loop, long periodNanos, Runnable onSilence) {
        this.timer = timer;
        this.loop = loop;
        this.periodNanos = periodNanos;
        this.onSilence = onSilence;
    }

    /** Starts counting the silence from now. */
    public void start() {
        lastWriteNanos = System.nanoTime();
        arm(periodNanos);
    }

    /** Something happened (a write, or hearing from the client): the silence starts again. */
    public void active() {
        lastWriteNanos = System.nanoTime();
    }

    /** No more calls of {@code onSilence}; idempotent. */
    public void stop() {
        stopped = true;
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
    }

    private void arm(long delayNanos) {
        timeout = timer.newTimeout(t -> EventLoops.execute(loop, () -> due(t)), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void due(Timeout fired) {
        if (stopped || fired != timeout) {
            return;
        }
        long silence = System.nanoTime() - lastWriteNanos;
        if (silence < periodNanos) {
            arm(periodNanos - silence);
            return;
        }
        onSilence.run();
        if (!stopped) {
            arm(periodNanos);
        }
    }

    @Override
    public String toString() {
        return "SilenceTimer[" + TimeUnit.NANOSECONDS.toMillis(periodNanos) + "ms" + (stopped ? ", stopped" : "") + "]";
    }
}
