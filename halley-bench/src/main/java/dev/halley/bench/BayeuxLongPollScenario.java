package dev.halley.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code longpoll-bayeux}: the {@code longpoll} workload spoken in Bayeux 1.0 long-polling to a
 * CometD server (the {@code CometdPeer}): N clients each {@code /meta/handshake} (long-polling only),
 * {@code /meta/subscribe} to one channel, then loop {@code /meta/connect} with
 * {@code connectionType:"long-polling"}, re-connecting at once when a reply comes; messages arrive
 * in the connect replies. The publisher paces messages through the peer's {@code POST /publish}.
 * One completed cycle = one {@code /meta/connect} reply carrying at least one message.
 *
 * <p>Bayeux messages carry no offset, so the publisher numbers its messages ({@code "n"} in the
 * data) and each client checks it sees every number once. Not necessarily in order: the publisher's
 * requests run concurrently on several connections and CometD publishes each on its own thread, so
 * one can overtake another (counted as {@code reordered}, not as an error). Each client keeps the
 * {@code BAYEUX_BROWSER} cookie of its handshake, as a browser would; without it CometD answers
 * {@code /meta/connect} at once instead of holding it.
 *
 * <p>Flags as {@code longpoll}: {@code --clients --duration --warmup --rate}.
 */
final class BayeuxLongPollScenario {
    /** Where the Bayeux servlet is mapped in the peer; the message type is appended as CometD's clients do. */
    static final String COMETD = "/cometd";

    private final Bench bench;
    private final String channel;
    private final List<Client> clients = new ArrayList<>();
    private final LongAdder subscribed = new LongAdder();
    private final LongAdder empty = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder reordered = new LongAdder();
    private volatile boolean running = true;

    BayeuxLongPollScenario(Bench bench) {
        this.bench = bench;
        this.channel = bench.freshChannel("bayeux");
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int n = f.integer("clients", 10_000);
        double rate = f.decimal("rate", 10);
        Duration duration = f.duration("duration", Duration.ofSeconds(30));
        Duration warmup = f.duration("warmup", Duration.ofSeconds(5));

        bench.phase("connect");
        connect(n);
        try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 8, "/publish", true)) {
            if (!Bench.await(() -> subscribed.sum() >= n, Duration.ofSeconds(60))) {
                throw new IllegalStateException("only " + subscribed.sum() + " of " + n + " Bayeux clients subscribed");
            }
            PacedWindow paced = PacedWindow.measure(bench, pub, n, rate, warmup, duration);
            Row measured = paced.row();
            Map<String, Object> x = paced.extra();
            long published = paced.published();
            boolean complete = Bench.await(() -> clients.stream().allMatch(c -> c.distinct >= published), Duration.ofSeconds(15));
            running = false;
            long incomplete = clients.stream().filter(c -> c.distinct != published).count();
            long lost = clients.stream().mapToLong(c -> Math.max(0, published - c.distinct)).sum();
            x.put("publishErrors", pub.errors.sum());
            x.put("emptyPolls", empty.sum());
            x.put("lost", lost);
            x.put("duplicates", duplicates.sum());
            x.put("reordered", reordered.sum());
            x.put("incompleteClients", incomplete);
            List<String> notes = new ArrayList<>();
            notes.add(String.format("Bayeux long-polling: %d clients on %s; a cycle is one /meta/connect reply carrying ≥1 message;"
                    + " latency is publish → receive.", n, channel));
            if (!complete) {
                notes.add("drain: not every client reached message " + published + " within 15 s (lowest "
                        + clients.stream().mapToLong(c -> c.distinct).min().orElse(0) + ")");
            }
            return bench.result(List.of(measured), notes);
        } finally {
            running = false;
            clients.forEach(c -> c.conn.close());
        }
    }

    private void connect(int n) throws Exception {
        // Handshakes in batches too, so CometD's accept and handshake path is not flooded at once.
        HttpConn.connectInBatches(bench, n, Client::new, (c, conn) -> c.conn = conn, Client::handshake,
                started -> Bench.await(() -> subscribed.sum() >= started, Duration.ofSeconds(30)), clients);
    }

    private enum State { HANDSHAKE, SUBSCRIBE, CONNECT, FAILED }

    /** One Bayeux long-polling client: one connection, one request in flight; its state lives on its event loop. */
    private final class Client implements HttpConn.Listener {
        volatile HttpConn conn;
        private State state = State.HANDSHAKE;
        private String clientId;
        private String cookie;
        private long nextId;
        /** Message numbers seen (bounded by what is published in one run: a few bits per message). */
        private final java.util.BitSet seen = new java.util.BitSet();
        private long highest;
        volatile long distinct;

        void handshake() {
            conn.postJson(COMETD + "/handshake", "[{\"id\":\"" + (++nextId) + "\",\"channel\":\"/meta/handshake\","
                    + "\"version\":\"1.0\",\"minimumVersion\":\"1.0\",\"supportedConnectionTypes\":[\"long-polling\"]}]", null);
        }

        private void subscribe() {
            conn.postJson(COMETD, "[{\"id\":\"" + (++nextId) + "\",\"channel\":\"/meta/subscribe\",\"clientId\":\""
                    + clientId + "\",\"subscription\":\"" + channel + "\"}]", cookie);
        }

        private void metaConnect() {
            conn.postJson(COMETD + "/connect", "[{\"id\":\"" + (++nextId) + "\",\"channel\":\"/meta/connect\",\"clientId\":\""
                    + clientId + "\",\"connectionType\":\"long-polling\"}]", cookie);
        }

        @Override
        public void response(int status, String body) {
            response(status, null, body);
        }

        @Override
        public void response(int status, HttpHeaders headers, String body) {
            if (status != 200 || body.contains("\"successful\":false")) {
                fail();
                return;
            }
            switch (state) {
                case HANDSHAKE -> {
                    clientId = WireScan.string(body, "clientId");
                    cookie = browserCookie(headers);
                    if (clientId == null) {
                        fail();
                        return;
                    }
                    state = State.SUBSCRIBE;
                    subscribe();
                }
                case SUBSCRIBE -> {
                    messages(body);
                    state = State.CONNECT;
                    subscribed.increment();
                    metaConnect();
                }
                case CONNECT -> {
                    if (messages(body) > 0) {
                        bench.stats().ops.increment();
                    } else {
                        empty.increment();
                    }
                    if (running) {
                        metaConnect();
                    }
                }
                case FAILED -> {
                }
            }
        }

        private void fail() {
            bench.stats().errors.increment();
            state = State.FAILED;
        }

        /** Counts the channel's messages in one reply: data {@code {"t":…,"n":…}}, any key order around it. */
        private int messages(String body) {
            int count = 0;
            int from = 0;
            while (true) {
                int t = body.indexOf("\"t\":", from);
                if (t < 0) {
                    return count;
                }
                long stamp = WireScan.number(body, t + 4);
                int s = body.indexOf("\"n\":", t);
                long seq = s < 0 ? 0 : WireScan.number(body, s + 4);
                message(seq, stamp);
                count++;
                from = t + 4;
            }
        }

        private void message(long seq, long stamp) {
            if (seq <= 0 || seq > Integer.MAX_VALUE || seen.get((int) seq)) {
                duplicates.increment();
                return;
            }
            seen.set((int) seq);
            if (seq < highest) {
                reordered.increment();
            }
            highest = Math.max(highest, seq);
            distinct++;
            bench.stats().delivered(stamp);
        }

        @Override
        public void closed(Throwable cause) {
            if (running) {
                bench.stats().errors.increment();
                bench.stats().connected.decrement();
            }
        }
    }

    /** {@code BAYEUX_BROWSER=…} from the handshake's {@code Set-Cookie}, as the {@code Cookie} value; null if absent. */
    static String browserCookie(HttpHeaders headers) {
        if (headers == null) {
            return null;
        }
        for (String set : headers.getAll(HttpHeaderNames.SET_COOKIE)) {
            if (set.startsWith("BAYEUX_BROWSER=")) {
                int semi = set.indexOf(';');
                return semi < 0 ? set : set.substring(0, semi);
            }
        }
        return null;
    }
}
