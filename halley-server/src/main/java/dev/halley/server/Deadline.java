package dev.halley.server;

/**
 * Something due on one event loop at a given time: a long-poll's hold, a connection's request
 * deadline, a stream's or a WebSocket's heartbeat. The owner extends this class (or keeps one
 * subclass instance) and is itself the node of its loop's {@link DeadlineWheel}: arming it
 * allocates nothing, and an armed deadline costs its owner 17 bytes of fields, where a timeout
 * on a shared {@link io.netty.util.HashedWheelTimer} was a 56-byte timeout, its task and a hop
 * back to the loop.
 *
 * <p>Event loop only: {@link #schedule}, {@link #cancel} and {@link #expired} all run on the loop
 * of the wheel the deadline was scheduled on, and a deadline is only ever scheduled on one loop.
 */
public abstract class Deadline {
    static final byte IDLE = 0;
    static final byte SCHEDULED = 1;
    /** Taken off the wheel by a tick, about to be {@linkplain #expired() expired} unless cancelled or re-armed first. */
    static final byte EXPIRING = 2;

    long dueNanos;
    Deadline prev;
    Deadline next;
    byte state;

    /** Arms (or re-arms) this deadline to expire {@code delayNanos} from now, on {@code wheel}'s loop. */
    protected final void schedule(DeadlineWheel wheel, long delayNanos) {
        wheel.schedule(this, delayNanos);
    }

    /** Disarms it; it will not expire unless scheduled again. Idempotent. */
    protected final void cancel() {
        if (state == SCHEDULED) {
            unlink();
        }
        state = IDLE;
    }

    /** Whether it is armed and has not expired yet. */
    protected final boolean isScheduled() {
        return state == SCHEDULED;
    }

    /** When it was last armed to expire ({@link System#nanoTime()} scale). */
    protected final long dueNanos() {
        return dueNanos;
    }

    /**
     * The deadline passed (at the wheel's resolution: up to one tick late). Runs on the loop, from
     * the wheel's tick; the deadline is disarmed when this runs and may schedule itself again.
     */
    protected abstract void expired();

    void unlink() {
        prev.next = next;
        next.prev = prev;
        prev = null;
        next = null;
    }
}
