package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code fanout} (and {@code iframe}): S subscribers on one channel over one push transport.
 * First single publishes, each measured to full delivery (all S received); then the publish
 * rate is stepped up until p99 passes {@code --p99-limit} (100 ms) or a subscriber drops.
 * With {@code --batches 1,20} the steps run again with 20 messages per publish request: they
 * reach each connection together and go out in one write (frames coalesced per connection).
 * At the end every subscriber must have seen every offset once. The server's heap after a full
 * GC before and after the subscribers connect gives the heap per connection (in the totals).
 *
 * <p>Against an {@link InstalledPeer} ({@code fanout-pushpin}, {@code fanout-nchan}) the same steps
 * run with the peer's subscribers and publish endpoint, messages numbered by the publisher.
 */
final class FanoutScenario {
    /** Default {@code --rates} (publishes/s) of the staircase. */
    static final String RATES = "1,2,5,10,20,50,100,200";

    private final Bench bench;
    private final Transport transport;
    /** Against a peer: published through its {@code POST /publish}, numbered by the publisher. */
    private final boolean peer;
    /** Pushpin or Nchan: its subscribers and publish endpoint; null otherwise. */
    private final InstalledPeer installed;

    FanoutScenario(Bench bench, Transport transport) {
        this(bench, transport, false, null);
    }

    private FanoutScenario(Bench bench, Transport transport, boolean peer, InstalledPeer installed) {
        this.bench = bench;
        this.transport = transport;
        this.peer = peer;
        this.installed = installed;
    }

    /**
     * The same fan-out against a peer ({@code fanout-vertx}): messages go through the peer's
     * {@code POST /publish} and carry the publisher's sequence ({@code "n"}), since a peer's
     * messages have no offsets.
     */
    static FanoutScenario onPeer(Bench bench, Transport transport) {
        return new FanoutScenario(bench, transport, true, null);
    }

    /** The same fan-out against Pushpin or Nchan ({@code fanout-pushpin}, {@code fanout-nchan}). */
    static FanoutScenario onInstalledPeer(Bench bench, Transport transport, InstalledPeer installed) {
        return new FanoutScenario(bench, transport, true, installed);
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int subs = f.integer("clients", 10_000);
        int singles = f.integer("singles", 5);
        String channel = bench.freshChannel("fanout");
        Stats stats = bench.stats();
        Subscribers s = installed == null ? new Subscribers(bench, transport, channel) : installed.subscribers(bench, transport, channel);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try {
            bench.phase("baseline");
            ConnMemory baseline = ConnMemory.baseline(bench.server());
            bench.phase("connect");
            long up = s.open(subs, Duration.ofSeconds(30));
            if (up < subs) {
                notes.add("only " + up + " of " + subs + " subscriptions were established within the time limit");
            }
            bench.phase("connected");
            Map<String, Object> memory = baseline.connected(up);
            try (Publisher pub = installed != null ? installed.publisher(bench, channel)
                    : Publisher.open(bench.loops(), bench.target(), channel, 8, peer ? "/publish" : "/api/publish", peer)) {
                singles(bench, pub, up, singles, rows);
                SteppedRates.run(bench, pub, transport.toString(), RATES, s.dropped::sum, rows, notes);
                bench.phase("drain");
                long published = pub.published();
                boolean drained = Bench.await(() -> s.minOffset() >= published, Duration.ofSeconds(30));
                notes.add(String.format("%s fan-out to %d subscribers on %s: published %d, delivered %d of %d expected, lost %d, duplicates %d, dropped %d%s.",
                        transport, up, channel, published, stats.messages.sum(), published * up, stats.lost.sum(),
                        s.duplicates.sum(), s.dropped.sum(), drained ? "" : ", NOT fully drained within 30 s"));
                Map<String, Object> totals = new LinkedHashMap<>();
                totals.put("clients", up);
                totals.put("published", published);
                totals.put("delivered", stats.messages.sum());
                totals.put("expected", published * up);
                totals.put("lost", stats.lost.sum());
                totals.put("duplicates", s.duplicates.sum());
                totals.put("reordered", s.tally.reordered.sum());
                totals.put("dropped", s.dropped.sum());
                totals.putAll(memory);
                rows.add(new Row("totals", Double.NaN, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        stats.errors.sum(), Double.NaN, Double.NaN, totals));
            }
        } finally {
            s.close();
        }
        return bench.result(rows, notes);
    }

    /**
     * {@code count} single publishes, one at a time, each timed until all {@code subscribers}
     * deliveries arrived ({@code fullDeliveryMs}, bounded at 10 s): a row each, labelled
     * {@code 1 publish → N}. Shared by every fan-out over every protocol.
     */
    static void singles(Bench bench, Publisher pub, long subscribers, int count, List<Row> rows) throws Exception {
        Stats stats = bench.stats();
        bench.phase("single");
        for (int i = 0; i < count; i++) {
            long before = stats.messages.sum();
            Window w = Window.open(stats, bench.server());
            pub.loop().submit(pub::publishOne).get(5, TimeUnit.SECONDS);
            boolean all = Bench.await(() -> stats.messages.sum() - before >= subscribers, Duration.ofSeconds(10));
            double secs = w.seconds();
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("fullDeliveryMs", all ? secs * 1000 : Double.NaN);
            rows.add(w.close("1 publish → " + subscribers, stats.messages.sum() - before, "deliveries/s", x));
        }
    }
}
