package dev.halley.bench;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and the publish → receive latency of one run, safe to update from every event loop.
 * Latencies are recorded in microseconds from {@link System#nanoTime()} stamps the publisher put
 * in the message data (the publisher and the receivers share this JVM, hence one clock).
 */
public final class Stats {
    /** Longest latency recorded; anything above is clamped (and so visible as the maximum). */
    static final long MAX_MICROS = 60_000_000L;

    public final LongAdder ops = new LongAdder();
    public final LongAdder messages = new LongAdder();
    public final LongAdder errors = new LongAdder();
    public final LongAdder lost = new LongAdder();
    public final LongAdder connected = new LongAdder();
    private final Recorder latency = new Recorder(MAX_MICROS, 3);
    private final Histogram total = new Histogram(MAX_MICROS, 3);

    /** Records one delivery of a message stamped {@code sentNanos}. */
    public void delivered(long sentNanos) {
        messages.increment();
        long micros = (System.nanoTime() - sentNanos) / 1000;
        latency.recordValue(Math.max(0, Math.min(micros, MAX_MICROS)));
    }

    /** The latencies since the previous call (also added to the run's total). */
    public synchronized Histogram interval() {
        Histogram h = latency.getIntervalHistogram();
        total.add(h);
        return h;
    }

    /** Every latency recorded since the start (or the last {@link #resetTotal()}). */
    public synchronized Histogram total() {
        interval();
        return total.copy();
    }

    public synchronized void resetTotal() {
        interval();
        total.reset();
    }

    public static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
