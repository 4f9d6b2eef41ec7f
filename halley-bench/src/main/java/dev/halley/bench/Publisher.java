package dev.halley.bench;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes {@code {"t":<nanoTime>}} messages through {@code POST /api/publish} over a few
 * keep-alive connections, one request in flight on each, to one channel or to several in turn
 * (a chat's rooms, round-robin). All state lives on one event loop. A publish that finds every
 * connection busy is counted in {@link #skipped} (the publisher fell behind its pace), never
 * queued without bound.
 */
public final class Publisher implements AutoCloseable {
    private final List<String> channels;
    private final String path;
    private final boolean sequenced;
    private final int dataBytes;
    /** Per channel: the last sequence number given ({@code sequenced}); publisher loop only. */
    private final long[] sequence;
    /** Per channel: publishes the server accepted. */
    private final AtomicLongArray accepted;
    private int next;
    private final ArrayDeque<ConnListener> idle = new ArrayDeque<>();
    private final List<ConnListener> listeners = new ArrayList<>();
    private final List<HttpConn> all = new ArrayList<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    public final LongAdder skipped = new LongAdder();
    public final LongAdder errors = new LongAdder();
    private volatile io.netty.util.concurrent.ScheduledFuture<?> pacing;
    /** Messages per publish request (the API's batch form when above 1). */
    private int batch = 1;

    private Publisher(List<String> channels, String path, boolean sequenced, int dataBytes) {
        this.channels = List.copyOf(channels);
        this.path = path;
        this.sequenced = sequenced;
        this.dataBytes = dataBytes;
        this.sequence = new long[channels.size()];
        this.accepted = new AtomicLongArray(channels.size());
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
        return open(loops, target, List.of(channel), connections, path, sequenced, 0);
    }

    /**
     * As {@link #open(Loops, InetSocketAddress, String, int, String, boolean)}, publishing to
     * {@code channels} in turn, each message's data padded ({@code "p":"xx…"}) to {@code dataBytes}
     * bytes when it is shorter (0: no padding).
     */
    public static Publisher open(Loops loops, InetSocketAddress target, List<String> channels, int connections, String path,
            boolean sequenced, int dataBytes) throws Exception {
        Publisher p = new Publisher(channels, path, sequenced, dataBytes);
        List<CompletableFuture<HttpConn>> opening = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            CompletableFuture<HttpConn> f = new CompletableFuture<>();
            ConnListener l = p.new ConnListener();
            HttpConn.connect(loops, target, l, c -> {
                l.conn = c;
                f.complete(c);
            }, f::completeExceptionally);
            opening.add(f);
            p.listeners.add(l);
        }
        for (CompletableFuture<HttpConn> f : opening) {
            p.all.add(f.get(10, TimeUnit.SECONDS));
        }
        p.loop().submit(() -> p.idle.addAll(p.listeners)).get(10, TimeUnit.SECONDS);
        return p;
    }

    /** Hears one connection's answers; hands the connection back to the publisher's loop. */
    private final class ConnListener implements HttpConn.Listener {
        volatile HttpConn conn;
        /** The channel (index) of the request in flight. */
        volatile int channel;

        @Override
        public void response(int status, String body) {
            if (status / 100 == 2) {
                // 200 (Halley, the JVM peers, the Pushpin origin); Nchan answers 201, or 202 without subscribers.
                accepted.addAndGet(channel, batch);
                published.addAndGet(batch);
            } else {
                errors.increment();
            }
            inFlight.decrementAndGet();
            loop().execute(() -> idle.add(this));
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
        ConnListener l = idle.poll();
        if (l == null) {
            skipped.increment();
            return false;
        }
        inFlight.incrementAndGet();
        int ch = next;
        next = (next + 1) % channels.size();
        String body;
        if (batch == 1) {
            body = message(ch);
        } else {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < batch; i++) {
                sb.append(i == 0 ? "" : ",").append(message(ch));
            }
            body = sb.append(']').toString();
        }
        l.channel = ch;
        HttpConn c = l.conn;
        c.channel().eventLoop().execute(() -> c.postJson(path, body));
        return true;
    }

    private String message(int ch) {
        String seq = sequenced ? ",\"n\":" + (++sequence[ch]) : "";
        return "{\"channel\":\"" + channels.get(ch) + "\",\"data\":" + pad("{\"t\":" + System.nanoTime() + seq) + "}";
    }

    /**
     * Sends {@code messages} per request from now on, in the publish API's batch form, all to the
     * request's channel: they are sequenced together and reach each subscriber together, so a
     * connection gets them in one write.
     */
    public Publisher batch(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("batch must be at least 1");
        }
        this.batch = messages;
        return this;
    }

    /** Closes the data object {@code open}, padded to {@link #dataBytes} when it is shorter. */
    private String pad(String open) {
        int fill = dataBytes - open.length() - ",\"p\":\"\"}".length();
        return fill < 0 ? open + "}" : open + ",\"p\":\"" + "x".repeat(fill) + "\"}";
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

    /** Messages the server accepted (2xx). */
    public long published() {
        return published.get();
    }

    /** Messages the server accepted on {@code channel} (0 for a channel not published to). */
    public long published(String channel) {
        int i = channels.indexOf(channel);
        return i < 0 ? 0 : accepted.get(i);
    }

    @Override
    public void close() {
        stop();
        all.forEach(HttpConn::close);
    }
}
