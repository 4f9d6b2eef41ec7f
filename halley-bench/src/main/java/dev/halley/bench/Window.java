package dev.halley.bench;

import java.util.Map;
import org.HdrHistogram.Histogram;

/** A measured interval: counts and server CPU between {@link #open} and {@link #close}. */
public final class Window {
    private final Stats stats;
    private final ProcessSampler sampler;
    private final long startNanos;
    private final long startOps;
    private final long startMessages;
    private final long startErrors;

    private Window(Stats stats, ServerUnderTest server) {
        this.stats = stats;
        this.sampler = server.sampler() == null ? null : server.sampler().fresh();
        if (sampler != null) {
            sampler.cpuPercent();
        }
        stats.interval();
        stats.resetTotal();
        this.startNanos = System.nanoTime();
        this.startOps = stats.ops.sum();
        this.startMessages = stats.messages.sum();
        this.startErrors = stats.errors.sum();
    }

    public static Window open(Stats stats, ServerUnderTest server) {
        return new Window(stats, server);
    }

    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public long ops() {
        return stats.ops.sum() - startOps;
    }

    public long messages() {
        return stats.messages.sum() - startMessages;
    }

    public long errors() {
        return stats.errors.sum() - startErrors;
    }

    /** A row whose throughput is {@code count} per second of this window. */
    public Row close(String label, long count, String unit, Map<String, Object> extra) {
        double secs = seconds();
        Histogram h = stats.total();
        double cpu = sampler == null ? Double.NaN : sampler.cpuPercent();
        double rss = sampler == null ? Double.NaN : sampler.rssBytes() / (1024.0 * 1024.0);
        return new Row(label, count / secs, unit, Stats.ms(h, 50), Stats.ms(h, 99), Stats.ms(h, 99.9),
                h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0, errors(), cpu, rss, extra);
    }
}
