package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * At the end every subscriber must have seen every offset once.
 */
final class FanoutScenario {
    private final Bench bench;
    private final Transport transport;

    FanoutScenario(Bench bench, Transport transport) {
        this.bench = bench;
        this.transport = transport;
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int subs = f.integer("clients", 10_000);
        Duration step = f.duration("step", Duration.ofSeconds(10));
        int singles = f.integer("singles", 5);
        double limitMs = f.decimal("p99-limit", 100);
        double[] rates = Arrays.stream(f.string("rates", "1,2,5,10,20,50,100,200").split(",")).mapToDouble(Double::parseDouble).toArray();
        // Messages per publish request: above 1 they reach each subscriber together, one write for all.
        int[] batches = Arrays.stream(f.string("batches", "1").split(",")).mapToInt(b -> Integer.parseInt(b.trim())).toArray();
        String channel = bench.freshChannel("fanout");
        Stats stats = bench.stats();
        Subscribers s = new Subscribers(bench, transport, channel);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try {
            bench.phase("connect");
            long up = s.open(subs, Duration.ofSeconds(30));
            if (up < subs) {
                notes.add("only " + up + " of " + subs + " subscriptions were established within the time limit");
            }
            try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 8)) {
                bench.phase("single");
                for (int i = 0; i < singles; i++) {
                    long before = stats.messages.sum();
                    Window w = Window.open(stats, bench.server());
                    pub.loop().submit(pub::publishOne).get(5, TimeUnit.SECONDS);
                    boolean all = Bench.await(() -> stats.messages.sum() - before >= up, Duration.ofSeconds(10));
                    double secs = w.seconds();
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("fullDeliveryMs", all ? secs * 1000 : Double.NaN);
                    rows.add(w.close("1 publish → " + up, stats.messages.sum() - before, "deliveries/s", x));
                }
                steps:
                for (int batch : batches) {
                    pub.batch(batch);
                    for (double rate : rates) {
                        bench.phase(rate + "/s ×" + batch);
                        Window w = Window.open(stats, bench.server());
                        pub.pace(rate);
                        Bench.hold(step);
                        pub.finish();
                        Map<String, Object> x = new LinkedHashMap<>();
                        x.put("rate", rate * batch);
                        x.put("messagesPerWrite", batch);
                        x.put("publisherBehind", pub.skipped.sum());
                        String label = batch == 1 ? transport + " " + rateLabel(rate) + " msg/s"
                                : transport + " " + rateLabel(rate) + "×" + batch + " msg/s";
                        Row row = w.close(label, w.messages(), "deliveries/s", x);
                        rows.add(row);
                        if (row.p99Ms() > limitMs || s.dropped.sum() > 0) {
                            notes.add(String.format("%s: stopped stepping at %s msg/s: p99 %.1f ms, %d subscribers dropped",
                                    batch == 1 ? "one message per publish" : batch + " messages per publish",
                                    rateLabel(rate * batch), row.p99Ms(), s.dropped.sum()));
                            if (s.dropped.sum() > 0) {
                                break steps;
                            }
                            break;
                        }
                    }
                }
                bench.phase("drain");
                long published = pub.published();
                boolean drained = Bench.await(() -> s.minOffset() >= published, Duration.ofSeconds(30));
                notes.add(String.format("%s fan-out to %d subscribers on %s: published %d, delivered %d of %d expected, lost %d, duplicates %d, dropped %d%s.",
                        transport, up, channel, published, stats.messages.sum(), published * up, stats.lost.sum(),
                        s.duplicates.sum(), s.dropped.sum(), drained ? "" : ", NOT fully drained within 30 s"));
                Map<String, Object> totals = new LinkedHashMap<>();
                totals.put("published", published);
                totals.put("delivered", stats.messages.sum());
                totals.put("expected", published * up);
                totals.put("lost", stats.lost.sum());
                totals.put("duplicates", s.duplicates.sum());
                totals.put("dropped", s.dropped.sum());
                rows.add(new Row("totals", Double.NaN, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        stats.errors.sum(), Double.NaN, Double.NaN, totals));
            }
        } finally {
            s.close();
        }
        return bench.result(rows, notes);
    }

    private static String rateLabel(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
