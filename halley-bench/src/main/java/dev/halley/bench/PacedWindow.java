package dev.halley.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The measurement both long-poll scenarios share (native and Bayeux): one message to warm every
 * client up, then the publisher paced at {@code rate}, a warm-up hold, one measured window of
 * completed cycles, and the publisher stopped so the clients can drain.
 *
 * @param row the measured row; its details map is {@link #extra()}, to which callers add
 * @param extra row details: clients, rate, deliveries/s, published, publisherBehind, then the caller's
 * @param published messages published in all
 */
record PacedWindow(Row row, Map<String, Object> extra, long published) {

    static PacedWindow measure(Bench bench, Publisher pub, int clients, double rate, Duration warmup, Duration duration)
            throws Exception {
        Stats stats = bench.stats();
        bench.phase("warmup");
        pub.loop().submit(pub::publishOne).get(5, TimeUnit.SECONDS);
        Bench.await(() -> stats.messages.sum() >= clients, Duration.ofSeconds(30));
        pub.pace(rate);
        Bench.hold(warmup);
        bench.phase("measure");
        Window w = Window.open(stats, bench.server());
        Bench.hold(duration);
        long cycles = w.ops();
        long msgs = w.messages();
        double secs = w.seconds();
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("clients", clients);
        x.put("rate", rate);
        Row measured = w.close(clients + " clients, " + (long) rate + " msg/s", cycles, "cycles/s", x);
        pub.finish();
        bench.phase("drain");
        long published = pub.published();
        x.put("deliveries/s", Math.round(msgs / secs));
        x.put("published", published);
        x.put("publisherBehind", pub.skipped.sum());
        return new PacedWindow(measured, x, published);
    }
}
