package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code longpoll-bayeux}: the {@code longpoll} workload spoken in Bayeux 1.0 long-polling to a
 * CometD server (the {@code CometdPeer}): N {@link BayeuxClient}s each handshake (long-polling
 * only), subscribe to one channel, then loop {@code /meta/connect}; messages arrive in the connect
 * replies. The publisher paces messages through the peer's {@code POST /publish}, numbered
 * ({@code "n"}) since Bayeux gives no offsets. One completed cycle = one {@code /meta/connect}
 * reply carrying at least one message.
 *
 * <p>Flags as {@code longpoll}: {@code --clients --duration --warmup --rate}.
 */
final class BayeuxLongPollScenario {
    private final Bench bench;
    private final String channel;
    private final List<BayeuxClient> clients = new ArrayList<>();

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
        Tally tally = new Tally(bench.stats());

        bench.phase("connect");
        connect(n, tally);
        try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 8, "/publish", true)) {
            if (!Bench.await(() -> tally.established.sum() >= n, Duration.ofSeconds(60))) {
                throw new IllegalStateException("only " + tally.established.sum() + " of " + n + " Bayeux clients subscribed");
            }
            PacedWindow paced = PacedWindow.measure(bench, pub, n, rate, warmup, duration);
            Row measured = paced.row();
            Map<String, Object> x = paced.extra();
            long published = paced.published();
            boolean complete = Bench.await(() -> clients.stream().allMatch(c -> distinct(c) >= published), Duration.ofSeconds(15));
            clients.forEach(BayeuxClient::stop);
            long incomplete = clients.stream().filter(c -> distinct(c) != published).count();
            long lost = clients.stream().mapToLong(c -> c.followed().unseen(ch -> published)).sum();
            x.put("publishErrors", pub.errors.sum());
            x.put("emptyPolls", tally.empty.sum());
            x.put("lost", lost);
            x.put("duplicates", tally.duplicates.sum());
            x.put("reordered", tally.reordered.sum());
            x.put("incompleteClients", incomplete);
            List<String> notes = new ArrayList<>();
            notes.add(String.format("Bayeux long-polling: %d clients on %s; a cycle is one /meta/connect reply carrying ≥1 message;"
                    + " latency is publish → receive.", n, channel));
            if (!complete) {
                notes.add("drain: not every client reached message " + published + " within 15 s (lowest "
                        + clients.stream().mapToLong(BayeuxLongPollScenario::distinct).min().orElse(0) + ")");
            }
            return bench.result(List.of(measured), notes);
        } finally {
            clients.forEach(BayeuxClient::close);
        }
    }

    private static long distinct(BayeuxClient c) {
        return c.followed().distinct();
    }

    private void connect(int n, Tally tally) throws Exception {
        // Handshakes in batches too, so CometD's accept and handshake path is not flooded at once.
        HttpConn.connectInBatches(bench, n, () -> new BayeuxClient(bench, tally, List.of(channel), BayeuxClient.Wire.LONG_POLLING),
                BayeuxClient::attach, BayeuxClient::handshake,
                started -> Bench.await(() -> tally.established.sum() >= started, Duration.ofSeconds(30)), clients);
    }
}
