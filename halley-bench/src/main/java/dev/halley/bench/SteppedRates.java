package dev.halley.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The publish-rate staircase {@code fanout} and {@code chat} measure: the publisher paced at each
 * of {@code --rates} (messages/s) for {@code --step}, one row per step (deliveries/s, latency,
 * server CPU/RSS), stopping after the first step whose p99 passes {@code --p99-limit} (100 ms)
 * or in which a client dropped. With {@code --batches 1,20} the staircase runs again with 20
 * messages per publish request: they reach each connection together and go out in one write
 * (frames coalesced per connection).
 */
final class SteppedRates {
    private SteppedRates() {
    }

    /**
     * Runs the steps, adding a row each to {@code rows} and the reason for stopping early to
     * {@code notes}. {@code label} starts each row's label; {@code dropped} counts clients lost so far.
     */
    static void run(Bench bench, Publisher pub, String label, String defaultRates, LongSupplier dropped, List<Row> rows,
            List<String> notes) throws InterruptedException {
        Flags f = bench.flags();
        Duration step = f.duration("step", Duration.ofSeconds(10));
        double limitMs = f.decimal("p99-limit", 100);
        double[] rates = Arrays.stream(f.string("rates", defaultRates).split(",")).mapToDouble(Double::parseDouble).toArray();
        // Messages per publish request: above 1 they reach each subscriber together, one write for all.
        int[] batches = Arrays.stream(f.string("batches", "1").split(",")).mapToInt(b -> Integer.parseInt(b.trim())).toArray();
        for (int batch : batches) {
            pub.batch(batch);
            for (double rate : rates) {
                Row row = step(bench, pub, label, rate, batch, step);
                rows.add(row);
                if (row.p99Ms() > limitMs || dropped.getAsLong() > 0) {
                    notes.add(String.format(Locale.ROOT, "%s: stopped stepping at %s msg/s: p99 %.1f ms, %d clients dropped",
                            batch == 1 ? "one message per publish" : batch + " messages per publish",
                            rateLabel(rate * batch), row.p99Ms(), dropped.getAsLong()));
                    if (dropped.getAsLong() > 0) {
                        return;
                    }
                    break;
                }
            }
        }
        pub.batch(1);
    }

    /** One step: {@code rate} publish requests/s of {@code batch} messages each, for {@code length}. */
    private static Row step(Bench bench, Publisher pub, String label, double rate, int batch, Duration length)
            throws InterruptedException {
        bench.phase(rate + "/s" + (batch == 1 ? "" : " ×" + batch));
        Window w = Window.open(bench.stats(), bench.server());
        long publishedBefore = pub.published();
        pub.pace(rate);
        Bench.hold(length);
        pub.finish();
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("rate", rate * batch);
        x.put("messagesPerPublish", batch);
        x.put("published/s", (double) Math.round((pub.published() - publishedBefore) / w.seconds()));
        x.put("publisherBehind", pub.skipped.sum());
        String what = batch == 1 ? rateLabel(rate) : rateLabel(rate) + "×" + batch;
        return w.close(label + " " + what + " msg/s", w.messages(), "deliveries/s", x);
    }

    static String rateLabel(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
