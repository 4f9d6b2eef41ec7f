package dev.halley.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * One load-generator process of the {@code cluster} scenario: holds {@code --clients} push
 * subscriptions to one node ({@code --target}) on one channel, and answers its coordinator
 * ({@link ClusterScenario}) line by line. A separate process because one process here may hold
 * about 20,000 file descriptors: 60,000 connections need several.
 *
 * <p>Protocol, one line each way: it prints {@code ready <established>} once its subscriptions
 * are up; on {@code await <k>} it waits until every subscription has seen k messages and prints
 * {@code done <k> <delivered> <maxMs> <p50Ms> <p99Ms> <lost> <duplicates> <dropped>} with the
 * publish → receive latencies of those deliveries (one clock: same machine, CLOCK_MONOTONIC);
 * on {@code stop} (or end of input) it closes everything and exits.
 */
public final class ClusterGenerator {
    private ClusterGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Flags flags = Flags.parse(Arrays.asList(args));
        String t = flags.string("target", "127.0.0.1:8080");
        InetSocketAddress target = new InetSocketAddress(t.substring(0, t.lastIndexOf(':')),
                Integer.parseInt(t.substring(t.lastIndexOf(':') + 1)));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Bench bench = new Bench("cluster-generator", flags, ServerUnderTest.remote(target, 0))) {
            Subscribers subs = new Subscribers(bench, Transport.of(flags.string("transport", "ws")), flags.string("channel", "/bench/cluster"));
            long up = subs.open(flags.integer("clients", 1000), Duration.ofSeconds(60));
            bench.stats().resetTotal();
            out.println("ready " + up);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
                if (line.startsWith("await ")) {
                    out.println(await(bench, subs, up, Long.parseLong(line.substring(6).trim())));
                }
            }
            subs.close();
        }
        out.println("bye");
        System.exit(0);
    }

    /** Waits (bounded) until {@code up} subscriptions saw {@code k} messages each; the report line. */
    private static String await(Bench bench, Subscribers subs, long up, long k) throws InterruptedException {
        Stats stats = bench.stats();
        Bench.await(() -> stats.messages.sum() >= up * k, Duration.ofSeconds(60));
        Histogram h = stats.total();
        stats.resetTotal();
        return String.format(Locale.ROOT, "done %d %d %.3f %.3f %.3f %d %d %d", k, stats.messages.sum(),
                h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0, Stats.ms(h, 50), Stats.ms(h, 99),
                stats.lost.sum(), subs.duplicates.sum(), subs.dropped.sum());
    }
}
