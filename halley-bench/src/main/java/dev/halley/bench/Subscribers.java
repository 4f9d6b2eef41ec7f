package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * S push subscribers on one channel, opened in batches (so the server's accept queue is not
 * flooded), each checking its offsets: a skipped offset is counted as lost, a repeat as a duplicate.
 */
final class Subscribers implements PushConn.Listener {
    private final Bench bench;
    private final Transport transport;
    private final String channel;
    final List<PushConn> conns = new ArrayList<>();
    final LongAdder established = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder dropped = new LongAdder();
    private final java.util.Map<PushConn, long[]> lastOffset = new java.util.concurrent.ConcurrentHashMap<>();
    volatile boolean closing;

    Subscribers(Bench bench, Transport transport, String channel) {
        this.bench = bench;
        this.transport = transport;
        this.channel = channel;
    }

    /** Opens {@code n} subscriptions and waits (bounded) until all are established; returns how many are. */
    long open(int n, Duration within) throws InterruptedException {
        int batch = 500;
        for (int from = 0; from < n; from += batch) {
            long target = established.sum() + Math.min(batch, n - from);
            for (int i = from; i < Math.min(n, from + batch); i++) {
                PushConn c = new PushConn(transport, channel, this);
                lastOffset.put(c, new long[1]);
                conns.add(c);
                c.open(bench.loops(), bench.target(), null, -1);
            }
            Bench.await(() -> established.sum() >= target, within);
        }
        return established.sum();
    }

    @Override
    public void established(PushConn conn) {
        established.increment();
        bench.stats().connected.increment();
    }

    @Override
    public void message(PushConn conn, long offset, long stampNanos) {
        long[] last = lastOffset.get(conn);
        if (offset <= last[0]) {
            duplicates.increment();
            return;
        }
        if (last[0] > 0 && offset > last[0] + 1) {
            bench.stats().lost.add(offset - last[0] - 1);
        }
        last[0] = offset;
        bench.stats().delivered(stampNanos);
    }

    /** The smallest last offset over all subscribers (every subscriber has seen up to here). */
    long minOffset() {
        long min = Long.MAX_VALUE;
        for (long[] l : lastOffset.values()) {
            min = Math.min(min, l[0]);
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    @Override
    public void closed(PushConn conn, boolean wasEstablished) {
        if (!closing) {
            dropped.increment();
            bench.stats().errors.increment();
        }
        if (wasEstablished) {
            bench.stats().connected.decrement();
        }
    }

    void close() {
        closing = true;
        conns.forEach(PushConn::close);
    }
}
