package dev.halley.server.transport.stream;

import dev.halley.server.Deadline;
import dev.halley.server.DeadlineWheel;
import java.util.concurrent.TimeUnit;

/**
 * A silence watch on one stream or connection: after {@code period} without activity,
 * {@code onSilence} runs on its event loop (a stream writes a heartbeat; a WebSocket's
 * {@link dev.halley.server.transport.websocket.Heartbeat} pings, then gives up), and again every
 * {@code period} the silence lasts. One {@link Deadline} on the loop's wheel; activity only
 * records the time ({@link #active()}), and when the deadline expires early it re-arms for the
 * rest of the silence, so a busy stream costs no rescheduling.
 *
 * <p>Used on the event loop only. A subclass may take the silence itself ({@link #silent()}) instead
 * of a callback.
 */
public class SilenceTimer extends Deadline {
    private final DeadlineWheel wheel;
    private final long periodNanos;
    private final Runnable onSilence;
    private long lastWriteNanos;
    private boolean stopped;

    public SilenceTimer(DeadlineWheel wheel, long periodNanos, Runnable onSilence) {
        this.wheel = wheel;
        this.periodNanos = periodNanos;
        this.onSilence = onSilence;
    }

    /** For a subclass that overrides {@link #silent()}. */
    protected SilenceTimer(DeadlineWheel wheel, long periodNanos) {
        this(wheel, periodNanos, null);
    }

    /** A whole period passed in silence: runs {@code onSilence}. */
    protected void silent() {
        onSilence.run();
    }

    protected final long periodNanos() {
        return periodNanos;
    }

    /** Starts counting the silence from now. */
    public final void start() {
        lastWriteNanos = System.nanoTime();
        schedule(wheel, periodNanos);
    }

    /** Something happened (a write, or hearing from the client): the silence starts again. */
    public final void active() {
        lastWriteNanos = System.nanoTime();
    }

    /** No more calls of {@code onSilence}; idempotent. */
    public final void stop() {
        stopped = true;
        cancel();
    }

    @Override
    protected final void expired() {
        if (stopped) {
            return;
        }
        long silence = System.nanoTime() - lastWriteNanos;
        if (silence < periodNanos) {
            schedule(wheel, periodNanos - silence);
            return;
        }
        silent();
        if (!stopped) {
            schedule(wheel, periodNanos);
        }
    }

    @Override
    public String toString() {
        return "SilenceTimer[" + TimeUnit.NANOSECONDS.toMillis(periodNanos) + "ms" + (stopped ? ", stopped" : "") + "]";
    }
}
