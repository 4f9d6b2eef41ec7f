package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fanout-bayeux}: the {@code fanout} workload spoken in Bayeux 1.0, to the CometD peer or
 * to Halley's own {@code /cometd} ({@code --bayeux-server cometd|halley}, {@link BayeuxTarget}).
 * S {@link BayeuxClient}s subscribe to one channel over {@code websocket} ({@code --transport ws},
 * the default) or {@code long-polling} ({@code --transport longpoll}); then, as {@code fanout},
 * {@code --singles} single publishes each timed to full delivery, and the publish rate stepped up
 * ({@link SteppedRates}: {@code --rates}, {@code --step}, {@code --p99-limit}, {@code --batches})
 * until p99 passes the limit or a client drops.
 *
 * <p>Messages are numbered by the publisher ({@code "n"}: Bayeux gives no offsets) and every
 * client checks every number once, in any order; at the end every client must have every message
 * (lost, duplicates, reordered, dropped in the totals row, with the server's heap per connection).
 */
final class BayeuxFanoutScenario {
    private final Bench bench;

    BayeuxFanoutScenario(Bench bench) {
        this.bench = bench;
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int subs = f.integer("clients", 10_000);
        String transport = f.string("transport", "ws");
        BayeuxTarget target = BayeuxTarget.of(f);
        BayeuxClients clients = new BayeuxClients(bench, BayeuxClients.wire(transport));
        String channel = bench.freshChannel("fanout-bayeux");
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        bench.phase("baseline");
        ConnMemory baseline = ConnMemory.baseline(bench.server());
        try {
            bench.phase("connect");
            long up = clients.open(subs, i -> List.of(channel));
            if (up < subs) {
                notes.add("only " + up + " of " + subs + " Bayeux clients subscribed within the time limit");
            }
            Map<String, Object> memory = baseline.connected(up);
            try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 8, target.publishPath(), true)) {
                FanoutScenario.singles(bench, pub, up, f.integer("singles", 5), rows);
                SteppedRates.run(bench, pub, "bayeux-" + transport, FanoutScenario.RATES, clients.tally().dropped::sum, rows, notes);
                rows.add(totals(clients, pub, up, memory, notes));
            }
        } finally {
            clients.close();
        }
        notes.add(String.format("Bayeux %s fan-out to %s: %d subscribers on %s; latency is publish → receive; messages"
                + " numbered by the publisher (\"n\"), each checked once per client in any order.",
                clients.wire().bayeuxName(), target.serverName(), subs, channel));
        return bench.result(rows, notes);
    }

    /** Waits (bounded) until every client has every message, then the counts of the whole run. */
    private Row totals(BayeuxClients clients, Publisher pub, long up, Map<String, Object> memory, List<String> notes)
            throws InterruptedException {
        bench.phase("drain");
        long published = pub.published();
        boolean drained = clients.awaitAll(published, Duration.ofSeconds(30));
        clients.stop();
        long lost = clients.unseen(published);
        long delivered = clients.followed().stream().mapToLong(Followed::distinct).sum();
        Tally tally = clients.tally();
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("clients", up);
        x.put("published", published);
        x.put("publishErrors", pub.errors.sum());
        x.put("delivered", delivered);
        x.put("expected", published * up);
        x.put("lost", lost);
        x.put("duplicates", tally.duplicates.sum());
        x.put("reordered", tally.reordered.sum());
        x.put("dropped", tally.dropped.sum());
        x.put("incompleteClients", clients.incomplete(published));
        x.putAll(memory);
        if (!drained) {
            notes.add("drain: not every client had every message within 30 s (" + lost + " missing, lowest "
                    + clients.lowest() + " of " + published + ")");
        }
        return new Row("totals", Double.NaN, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                bench.stats().errors.sum(), Double.NaN, Double.NaN, x);
    }
}
