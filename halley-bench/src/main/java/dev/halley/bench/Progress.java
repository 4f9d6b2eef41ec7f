package dev.halley.bench;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** The live progress line on stderr, once a second: rates of the last second, latency, server load. */
final class Progress implements AutoCloseable {
    private final String scenario;
    private final Stats stats;
    private final ProcessSampler sampler;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-progress");
        t.setDaemon(true);
        return t;
    });
    private final long start = System.nanoTime();
    private volatile String phase = "start";
    private long lastOps;
    private long lastMessages;

    Progress(String scenario, Stats stats, ServerUnderTest server) {
        this.scenario = scenario;
        this.stats = stats;
        this.sampler = server.sampler() == null ? null : server.sampler().fresh();
        timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
    }

    void phase(String p) {
        phase = p;
    }

    private void print() {
        long ops = stats.ops.sum();
        long msgs = stats.messages.sum();
        Histogram h = stats.interval();
        String server = sampler == null ? "" : String.format(Locale.ROOT, " server cpu %.0f%% rss %d MiB",
                sampler.cpuPercent(), sampler.rssBytes() >> 20);
        System.err.printf(Locale.ROOT, "[%s %3ds %s] conns %,d  ops/s %,d  msgs/s %,d  p99 %s ms  errors %,d  lost %,d%s%n",
                scenario, (System.nanoTime() - start) / 1_000_000_000L, phase, stats.connected.sum(), ops - lastOps,
                msgs - lastMessages, h.getTotalCount() == 0 ? "–" : String.format(Locale.ROOT, "%.1f", Stats.ms(h, 99)),
                stats.errors.sum(), stats.lost.sum(), server);
        lastOps = ops;
        lastMessages = msgs;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
