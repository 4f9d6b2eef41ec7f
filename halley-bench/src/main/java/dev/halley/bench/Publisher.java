package dev.halley.bench;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes {@code {"t":<nanoTime>}} messages through {@code POST /api/publish} over a few
 * keep-alive connections, one request in flight on each. All state lives on one event loop.
 * A publish that finds every connection busy is counted in {@link #skipped} (the publisher fell
 * behind its pace), never queued without bound.
 */
public final class Publisher implements AutoCloseable {
    private final String channel;
    private final String path;
    private final boolean sequenced;
    private long sequence;
    private final ArrayDeque<HttpConn> idle = new ArrayDeque<>();
    private final List<HttpConn> all = new ArrayList<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    public final LongAdder skipped = new LongAdder();
    public final LongAdder errors = new LongAdder();
    private volatile io.netty.util.concurrent.ScheduledFuture<?> pacing;
    /** Messages per publish request (the API's batch form when above 1). */
    private int batch = 1;

    private Publisher(String channel, String path, boolean sequenced) {
        this.channel = channel;
        this.path = path;
        this.sequenced = sequenced;
    }

    /** Opens {@code connections} publishing connections to Halley's {@code /api/publish} at {@code target}. */
    public static Publisher open(Loops loops, InetSocketAddress target, String channel, int connections) throws Exception {
        return open(loops, target, channel, connections, "/api/publish", false);
    }

    /**
     * Opens {@code connections} publishing connections to {@code path} at {@code target}. When
     * {@code sequenced}, the data is {@code {"t":<nanoTime>,"n":<1, 2, …>}}: for servers (peers)
     * whose messages carry no offset, so receivers can still count losses and repeats.
     */
    public static Publisher open(Loops loops, InetSocketAddress target, String channel, int connections, String path,
            boolean sequenced) throws Exception {
        Publisher p = new Publisher(channel, path, sequenced);
        List<CompletableFuture<HttpConn>> opening = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            CompletableFuture<HttpConn> f = new CompletableFuture<>();
            ConnListener l = p.new ConnListener();
            HttpConn.connect(loops, target, l, c -> {
                l.conn = c;
                f.complete(c);
            }, f::completeExceptionally);
            opening.add(f);
        }
        for (CompletableFuture<HttpConn> f : opening) {
            p.all.add(f.get(10, TimeUnit.SECONDS));
        }
        p.loop().submit(() -> p.idle.addAll(p.all)).get(10, TimeUnit.SECONDS);
        return p;
    }

    /** Hears one connection's answers; hands the connection back to the publisher's loop. */
    private final class ConnListener implements HttpConn.Listener {
        volatile HttpConn conn;

        @Override
        public void response(int status, String body) {
            if (status == 200) {
                published.addAndGet(batch);
            } else {
                errors.increment();
            }
            HttpConn c = conn;
            inFlight.decrementAndGet();
            loop().execute(() -> idle.add(c));
        }

        @Override
        public void closed(Throwable cause) {
            if (pacing != null) {
                errors.increment();
            }
        }
    }

    /** The event loop all publishing runs on. */
    public io.netty.channel.EventLoop loop() {
        return all.get(0).channel().eventLoop();
    }

    /** Publishes one message now (call on {@link #loop()}); false when every connection was busy. */
    public boolean publishOne() {
        HttpConn c = idle.poll();
        if (c == null) {
            skipped.increment();
            return false;
        }
        inFlight.incrementAndGet();
        String body;
        if (batch == 1) {
            body = message();
        } else {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < batch; i++) {
                sb.append(i == 0 ? "" : ",").append(message());
            }
            body = sb.append(']').toString();
        }
        c.channel().eventLoop().execute(() -> c.postJson(path, body));
        return true;
    }

    private String message() {
        String seq = sequenced ? ",\"n\":" + (++sequence) : "";
        return "{\"channel\":\"" + channel + "\",\"data\":{\"t\":" + System.nanoTime() + seq + "}}";
    }

    /**
     * Sends {@code messages} per request from now on, in the publish API's batch form: they are
     * sequenced together and reach each subscriber together, so a connection gets them in one write.
     */
    public Publisher batch(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("batch must be at least 1");
        }
        this.batch = messages;
        return this;
    }

    /** Publishes at {@code perSecond} until {@link #stop()}. */
    public void pace(double perSecond) {
        stop();
        long periodNanos = Math.max(10_000, (long) (1e9 / perSecond));
        pacing = loop().scheduleAtFixedRate(this::publishOne, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    public void stop() {
        var p = pacing;
        if (p != null) {
            p.cancel(false);
            pacing = null;
        }
    }

    /** Stops pacing and waits (bounded) until no publish is in flight, so {@link #published()} is final. */
    public void finish() throws InterruptedException {
        stop();
        Bench.await(() -> inFlight.get() == 0, java.time.Duration.ofSeconds(10));
    }

    /** Messages the server accepted (200). */
    public long published() {
        return published.get();
    }

    @Override
    public void close() {
        stop();
        all.forEach(HttpConn::close);
    }
}
