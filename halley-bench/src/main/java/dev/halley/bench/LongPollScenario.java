package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code longpoll} (and {@code jsonp} with {@code callback=}): N clients long-poll one channel,
 * each re-polling at once with the returned cursor, while a publisher paces messages on it.
 * One completed cycle = one poll answered with at least one message. Every client starts from
 * {@code since=0} on a fresh channel, so at the end each must have seen every offset exactly once.
 *
 * <p>Flags: {@code --clients 10000 --duration 30s --warmup 5s --rate 10} (messages/s),
 * {@code --channels-per-client 1} (extra quiet channels per poll), {@code --timeout 30}.
 */
final class LongPollScenario {
    private final Bench bench;
    private final boolean jsonp;
    private final String channel;
    private final List<Poller> pollers = new ArrayList<>();
    private final LongAdder empty = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private volatile boolean running = true;

    LongPollScenario(Bench bench, boolean jsonp) {
        this.bench = bench;
        this.jsonp = jsonp;
        this.channel = bench.freshChannel(jsonp ? "jsonp" : "lp");
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int clients = f.integer("clients", 10_000);
        double rate = f.decimal("rate", 10);
        Duration duration = f.duration("duration", Duration.ofSeconds(30));
        Duration warmup = f.duration("warmup", Duration.ofSeconds(5));
        String extra = extraChannels(f.integer("channels-per-client", 1));
        int timeout = f.integer("timeout", 30);
        String base = "/longpoll?channel=" + Transport.enc(channel) + extra + "&timeout=" + timeout + (jsonp ? "&callback=cb" : "");
        Stats stats = bench.stats();

        bench.phase("connect");
        connect(clients, base);
        try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 8)) {
            PacedWindow paced = PacedWindow.measure(bench, pub, clients, rate, warmup, duration);
            Row measured = paced.row();
            Map<String, Object> x = paced.extra();
            long published = paced.published();
            boolean complete = Bench.await(() -> pollers.stream().allMatch(p -> p.lastOffset >= published), Duration.ofSeconds(15));
            running = false;
            long incomplete = pollers.stream().filter(p -> p.lastOffset != published).count();
            x.put("emptyPolls", empty.sum());
            x.put("lost", stats.lost.sum());
            x.put("duplicates", duplicates.sum());
            x.put("incompleteClients", incomplete);
            List<String> notes = new ArrayList<>();
            notes.add(String.format("%s: %d clients on %s; a cycle is one answered poll carrying ≥1 message; latency is publish → receive.",
                    jsonp ? "JSONP long-polling" : "long-polling", clients, channel));
            if (!complete) {
                notes.add("drain: not every client reached offset " + published + " within 15 s (lowest "
                        + pollers.stream().mapToLong(p -> p.lastOffset).min().orElse(0) + ", highest "
                        + pollers.stream().mapToLong(p -> p.lastOffset).max().orElse(0) + ")");
            }
            return bench.result(List.of(measured), notes);
        } finally {
            running = false;
            pollers.forEach(p -> p.conn.close());
        }
    }

    private static String extraChannels(int perClient) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < perClient; i++) {
            sb.append("&channel=").append(Transport.enc("/bench/quiet-" + i));
        }
        return sb.toString();
    }

    private void connect(int clients, String base) throws Exception {
        HttpConn.connectInBatches(bench, clients, () -> new Poller(base), (p, c) -> p.conn = c, Poller::poll, started -> { },
                pollers);
    }

    /** One long-polling client: one connection, one poll in flight, its cursor and last offset. */
    private final class Poller implements HttpConn.Listener {
        private final String base;
        volatile HttpConn conn;
        private String cursor;
        volatile long lastOffset;

        Poller(String base) {
            this.base = base;
        }

        void poll() {
            // The first poll asks for everything (since=0 on a fresh channel); later ones carry the cursor.
            String resume = cursor != null ? "&cursor=" + cursor : base.contains("&channel=") ? "" : "&since=0";
            conn.get(base + resume, true);
        }

        @Override
        public void response(int status, String body) {
            Stats stats = bench.stats();
            if (status != 200 || body.contains("\"error\"")) {
                stats.errors.increment();
            } else {
                int n = WireScan.messages(body, this::message);
                if (n > 0) {
                    stats.ops.increment();
                } else {
                    empty.increment();
                }
                String c = WireScan.cursor(body);
                if (c != null) {
                    cursor = c;
                }
            }
            if (running) {
                poll();
            }
        }

        private void message(long offset, long stamp) {
            if (offset <= lastOffset) {
                duplicates.increment();
                return;
            }
            if (offset > lastOffset + 1) {
                bench.stats().lost.add(offset - lastOffset - 1);
            }
            lastOffset = offset;
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
}
