package dev.halley.server;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of one event loop's connections, on a hashed wheel the loop itself turns: one
 * scheduled task per loop, every 50 ms, walks the bucket of the time that passed
 * and expires what is due. Deadlines are intrusive ({@link Deadline} is the list node), so arming,
 * re-arming and cancelling allocate nothing and take no lock, and an idle connection holds no
 * timer object. The resolution is that of the shared {@link io.netty.util.HashedWheelTimer} it
 * replaces for connection deadlines (50 ms): a deadline expires at the first tick at or after it.
 *
 * <p>Event loop only, except {@link Registry#on}. Each bucket is a circular list behind a
 * sentinel, so a deadline unlinks itself without knowing its bucket.
 */
public final class DeadlineWheel {
    private static final Logger log = LoggerFactory.getLogger(DeadlineWheel.class);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** 1,024 buckets of 50 ms: a turn of 51.2 s; a deadline further out waits in its bucket for its turn. */
    static final int BUCKETS = 1024;

    private final EventExecutor loop;
    private final long tickNanos;
    private final Deadline[] buckets;
    private final int mask;
    /** Nanos from which slots are counted. */
    private final long origin;
    /** The last slot whose bucket was walked: deadlines go to a later one. */
    private long walked;
    /** Taken off the wheel by the current tick; reused. */
    private final List<Deadline> expiring = new ArrayList<>();

    private DeadlineWheel(EventExecutor loop) {
        this(loop, TICK_NANOS, BUCKETS);
    }

    /** A wheel turning every {@code tickNanos}, with {@code buckets} (a power of two) buckets. */
    DeadlineWheel(EventExecutor loop, long tickNanos, int buckets) {
        if (Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("buckets must be a power of two");
        }
        this.loop = loop;
        this.tickNanos = tickNanos;
        this.buckets = new Deadline[buckets];
        this.mask = buckets - 1;
        for (int i = 0; i < buckets; i++) {
            Deadline sentinel = new Sentinel();
            sentinel.prev = sentinel;
            sentinel.next = sentinel;
            this.buckets[i] = sentinel;
        }
        this.origin = System.nanoTime();
        this.walked = -1;
        try {
            loop.scheduleAtFixedRate(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down with the server: its connections go with it.
        }
    }

    /** The wheels of a server's event loops, made on first use. */
    public static final class Registry {
        private final Map<EventExecutor, DeadlineWheel> wheels = new ConcurrentHashMap<>();

        /** The wheel of {@code loop}; deadlines on it must be scheduled from that loop. */
        public DeadlineWheel on(EventExecutor loop) {
            DeadlineWheel w = wheels.get(loop);
            return w != null ? w : wheels.computeIfAbsent(loop, DeadlineWheel::new);
        }
    }

    /** The loop this wheel runs on. */
    public EventExecutor loop() {
        return loop;
    }

    void schedule(Deadline d, long delayNanos) {
        assert loop.inEventLoop() : "deadline scheduled off its loop";
        if (d.state == Deadline.SCHEDULED) {
            d.unlink();
        }
        long due = System.nanoTime() + Math.max(0, delayNanos);
        // A slot is walked once its end has passed, so its deadlines are all due by then.
        long slot = Math.max(slotOf(due), walked + 1);
        Deadline head = buckets[(int) (slot & mask)];
        d.dueNanos = due;
        d.state = Deadline.SCHEDULED;
        d.prev = head.prev;
        d.next = head;
        head.prev.next = d;
        head.prev = d;
    }

    private long slotOf(long nanos) {
        return Math.floorDiv(nanos - origin, tickNanos);
    }

    /** Walks the buckets of the slots that ended since the last tick (at most one turn of them). */
    private void tick() {
        long now = System.nanoTime();
        long last = slotOf(now) - 1;
        long from = Math.max(walked + 1, last - mask);
        for (long slot = from; slot <= last; slot++) {
            Deadline head = buckets[(int) (slot & mask)];
            for (Deadline d = head.next; d != head; ) {
                Deadline next = d.next;
                if (d.dueNanos - now <= 0) {
                    d.unlink();
                    d.state = Deadline.EXPIRING;
                    expiring.add(d);
                }
                d = next;
            }
        }
        walked = Math.max(walked, last);
        // Expired after the walk: an expiry may cancel or re-arm any deadline, also one taken in this tick.
        for (int i = 0; i < expiring.size(); i++) {
            Deadline d = expiring.get(i);
            if (d.state != Deadline.EXPIRING) {
                continue;
            }
            d.state = Deadline.IDLE;
            try {
                d.expired();
            } catch (RuntimeException e) {
                log.warn("deadline {} failed: {}", d, e.toString(), e);
            }
        }
        expiring.clear();
    }

    @Override
    public String toString() {
        return "DeadlineWheel[" + loop + "]";
    }

    /** A bucket's list head; never expires. */
    private static final class Sentinel extends Deadline {
        @Override
        protected void expired() {
        }
    }
}
