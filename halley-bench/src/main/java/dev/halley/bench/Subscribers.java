package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * S push subscribers, each on one channel or on several (a chat client's rooms), opened in
 * batches (so the server's accept queue is not flooded), each checking every channel's offsets
 * through a {@link Tally}: a skipped offset is counted as lost, a repeat as a duplicate.
 */
final class Subscribers implements PushConn.Listener {
    private final Bench bench;
    private final Transport transport;
    private final IntFunction<List<String>> channelsOf;
    /** Subscriptions to a peer: messages numbered by the publisher's sequence (see {@link PushConn}). */
    private final boolean sequenced;
    /** Subscriptions opened at a time (each batch established before the next). */
    private final int batch;
    final List<PushConn> conns = new ArrayList<>();
    final Tally tally;
    final LongAdder established;
    final LongAdder duplicates;
    final LongAdder dropped;
    private final Map<PushConn, Followed> followed = new ConcurrentHashMap<>();
    volatile boolean closing;

    /** Subscribers that all follow {@code channel}. */
    Subscribers(Bench bench, Transport transport, String channel) {
        this(bench, transport, i -> List.of(channel));
    }

    /** Subscriber {@code i} (from 0) follows {@code channelsOf.apply(i)}. */
    Subscribers(Bench bench, Transport transport, IntFunction<List<String>> channelsOf) {
        this(bench, transport, channelsOf, false, 500);
    }

    private Subscribers(Bench bench, Transport transport, IntFunction<List<String>> channelsOf, boolean sequenced, int batch) {
        this.bench = bench;
        this.transport = transport;
        this.channelsOf = channelsOf;
        this.sequenced = sequenced;
        this.batch = batch;
        this.tally = new Tally(bench.stats());
        this.established = tally.established;
        this.duplicates = tally.duplicates;
        this.dropped = tally.dropped;
    }

    /**
     * Subscribers that all follow {@code channel} on a peer server: messages numbered by the
     * publisher's sequence, opened {@code batch} at a time.
     */
    static Subscribers ofPeer(Bench bench, Transport transport, String channel, int batch) {
        return new Subscribers(bench, transport, i -> List.of(channel), true, batch);
    }

    /** Opens {@code n} subscriptions (live) and waits (bounded) until all are established; returns how many are. */
    long open(int n, Duration within) throws InterruptedException {
        return open(n, -1, within);
    }

    /**
     * Opens {@code n} subscriptions, WebSocket ones from offset {@code since} on every channel
     * ({@code -1}: live), and waits (bounded) until all are established; returns how many are.
     */
    long open(int n, long since, Duration within) throws InterruptedException {
        return Bench.openInBatches(n, batch, i -> {
            PushConn c = new PushConn(transport, channelsOf.apply(i), this, sequenced);
            followed.put(c, new Followed(c.channels()));
            conns.add(c);
            c.open(bench.loops(), bench.target(), null, since);
        }, established::sum, within);
    }

    @Override
    public void established(PushConn conn) {
        established.increment();
        bench.stats().connected.increment();
    }

    @Override
    public void message(PushConn conn, String channel, long offset, long stampNanos) {
        tally.message(followed.get(conn).of(channel), offset, stampNanos);
    }

    /** The smallest last offset over all subscribers and their channels (every one has seen up to here). */
    long minOffset() {
        long min = Long.MAX_VALUE;
        for (Followed f : followed.values()) {
            min = Math.min(min, f.lowestHighest());
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** Every subscriber's channels and what it saw of them. */
    List<Followed> followed() {
        return conns.stream().map(followed::get).toList();
    }

    @Override
    public void closed(PushConn conn, boolean wasEstablished) {
        if (!closing) {
            tally.dropped(wasEstablished);
        } else if (wasEstablished) {
            bench.stats().connected.decrement();
        }
    }

    void close() {
        closing = true;
        conns.forEach(PushConn::close);
    }
}
