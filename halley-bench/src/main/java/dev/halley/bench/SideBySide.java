package dev.halley.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code longpoll --peer cometd}: the Halley row and the peer's row of one workload, one after the
 * other (never both servers at once), in one table with the ratio Halley / peer. Until Halley
 * speaks Bayeux, Halley's row is its native long-poll and the label says so.
 */
final class SideBySide {
    static final String HALLEY_LABEL = "Halley (native long-poll)";
    static final String COMETD_LABEL = "CometD 9 (Bayeux long-poll)";

    private SideBySide() {
    }

    /** One result holding both rows (relabelled), both servers' commands, and the ratios as notes. */
    static Result combine(Result halley, Result peer) {
        Row h = relabel(halley.rows().get(0), HALLEY_LABEL);
        Row p = relabel(peer.rows().get(0), COMETD_LABEL);
        Map<String, Object> servers = new LinkedHashMap<>();
        servers.put("halley", halley.server());
        servers.put("cometd", peer.server());
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "Halley / CometD: throughput %s, p99 %s, server RSS %s"
                + " (throughput above 1 and p99, RSS below 1 favour Halley).",
                ratio(h.throughput(), p.throughput()), ratio(h.p99Ms(), p.p99Ms()), ratio(h.serverRssMiB(), p.serverRssMiB())));
        notes.add("A cycle is one answer carrying ≥1 message; a server that falls behind the pace answers with"
                + " several messages at once, so compare deliveries/s and latency as well as cycles/s.");
        notes.add(HALLEY_LABEL + " vs " + COMETD_LABEL + ": different protocols on the same workload, since Halley"
                + " does not speak Bayeux yet; the servers ran one after the other, each alone with the generator.");
        notes.add("Load average (1/5/15 min) at start → end: Halley run " + halley.generator().get("loadAverageAtStart")
                + " → " + halley.generator().get("loadAverageAtEnd") + "; CometD run " + peer.generator().get("loadAverageAtStart")
                + " → " + peer.generator().get("loadAverageAtEnd") + " (the servers' own runnable threads count in it).");
        notes.addAll(halley.notes().stream().map(n -> "Halley: " + n).toList());
        notes.addAll(peer.notes().stream().map(n -> "CometD: " + n).toList());
        return new Result("longpoll-side-by-side", halley.startedAt(), halley.flags(), halley.generator(), servers,
                List.of(h, p), notes);
    }

    private static Row relabel(Row r, String server) {
        return new Row(server + ": " + r.label(), r.throughput(), r.unit(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(),
                r.errors(), r.serverCpuPct(), r.serverRssMiB(), r.extra());
    }

    static String ratio(double halley, double peer) {
        return Double.isNaN(halley) || Double.isNaN(peer) || peer == 0 ? "–"
                : String.format(Locale.ROOT, "%.2f×", halley / peer);
    }

    /** The side-by-side table: both rows, then the ratio row. */
    static void table(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "%n## longpoll side by side: %s vs %s%n%n", HALLEY_LABEL, COMETD_LABEL);
        out.println("| server (protocol) | cycles/s | deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | lost | server CPU % | server RSS MiB |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Row row : r.rows()) {
            out.printf(Locale.ROOT, "| %s | %,.0f | %,d | %s | %s | %s | %s | %d | %s | %s | %s |%n", row.label(), row.throughput(),
                    ((Number) row.extra().getOrDefault("deliveries/s", 0L)).longValue(),
                    num(row.p50Ms(), 2), num(row.p99Ms(), 2), num(row.p999Ms(), 2), num(row.maxMs(), 1), row.errors(),
                    row.extra().get("lost"), num(row.serverCpuPct(), 0), num(row.serverRssMiB(), 0));
        }
        Row h = r.rows().get(0);
        Row p = r.rows().get(1);
        out.printf(Locale.ROOT, "| **Halley / CometD** | %s | %s | %s | %s | %s | | | | %s | %s |%n", ratio(h.throughput(), p.throughput()),
                ratio(deliveries(h), deliveries(p)),
                ratio(h.p50Ms(), p.p50Ms()), ratio(h.p99Ms(), p.p99Ms()), ratio(h.p999Ms(), p.p999Ms()),
                ratio(h.serverCpuPct(), p.serverCpuPct()), ratio(h.serverRssMiB(), p.serverRssMiB()));
        out.printf(Locale.ROOT, "%nGenerator: %s, %s cores, io %s.%n", r.generator().get("jdk"), r.generator().get("cores"),
                r.generator().get("io"));
        r.server().forEach((name, d) -> {
            if (d instanceof Map<?, ?> m && m.get("command") != null) {
                out.println("Server " + name + ": " + m.get("command"));
            }
        });
        for (String note : r.notes()) {
            out.println();
            out.println("- " + note);
        }
        out.println();
    }

    private static double deliveries(Row r) {
        return ((Number) r.extra().getOrDefault("deliveries/s", 0L)).doubleValue();
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
