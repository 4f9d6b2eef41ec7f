package dev.halley.bench;

import java.util.Map;

/**
 * One line of a result table: a throughput over a measured window, the publish → receive latency
 * percentiles in that window (milliseconds, NaN when none), errors, and the server's CPU (percent
 * of one core) and RSS. {@code extra} holds the scenario's own figures (counts, per-connection costs).
 */
public record Row(String label, double throughput, String unit, double p50Ms, double p99Ms, double p999Ms,
        double maxMs, long errors, double serverCpuPct, double serverRssMiB, Map<String, Object> extra) {
}
