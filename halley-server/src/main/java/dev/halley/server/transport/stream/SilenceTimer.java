package dev.halley.server.transport.stream;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The heartbeat of one open stream: after {@code period} without a write, {@code onSilence} runs
 * on the stream's event loop (it usually writes a heartbeat). One timeout at a time on the shared
 * wheel; writes only record the time ({@link #wrote()}), and when the timeout fires early it
 * re-arms for the rest of the silence, so a busy stream costs no rescheduling.
 *
 * <p>Used on the stream's event loop only; the timer callback hops there.
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

    /** Something was written: the silence starts again. */
    public void wrote() {
        lastWriteNanos = System.nanoTime();
    }

    /** No more heartbeats; idempotent. */
    public void stop() {
        stopped = true;
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
    }

    private void arm(long delayNanos) {
        timeout = timer.newTimeout(t -> {
            try {
                loop.execute(() -> due(t));
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down with the server; the stream goes with it.
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
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
