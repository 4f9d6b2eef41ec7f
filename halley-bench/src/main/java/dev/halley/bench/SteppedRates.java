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
 * or in which a client dropped.
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
        for (double rate : rates) {
            bench.phase(rate + "/s");
            Window w = Window.open(bench.stats(), bench.server());
            long publishedBefore = pub.published();
            pub.pace(rate);
            Bench.hold(step);
            pub.finish();
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("rate", rate);
            x.put("published/s", (double) Math.round((pub.published() - publishedBefore) / w.seconds()));
            x.put("publisherBehind", pub.skipped.sum());
            Row row = w.close(label + " " + rateLabel(rate) + " msg/s", w.messages(), "deliveries/s", x);
            rows.add(row);
            if (row.p99Ms() > limitMs || dropped.getAsLong() > 0) {
                notes.add(String.format(Locale.ROOT, "stopped stepping at %s msg/s: p99 %.1f ms, %d clients dropped",
                        rateLabel(rate), row.p99Ms(), dropped.getAsLong()));
                return;
            }
        }
    }

    static String rateLabel(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }
}
