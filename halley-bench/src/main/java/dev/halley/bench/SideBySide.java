package dev.halley.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code longpoll --peer cometd} and {@code chat --peer cometd}: the Halley rows and the peer's
 * rows of one workload, one run after the other (never both servers at once), in one table with
 * the ratio Halley / peer after each pair of rows (the same step). A {@code totals} row on both
 * sides (chat) adds the counts and memory per connection, with their ratio. Until Halley speaks
 * Bayeux, Halley's rows are its native protocol and the labels say so.
 *
 * @param scenario    what the combined result is called ({@code longpoll-side-by-side}, …)
 * @param halleyLabel Halley's server and protocol, e.g. {@code Halley (native long-poll)}
 * @param peerLabel   the peer's, e.g. {@code CometD 9 (Bayeux long-poll)}
 */
record SideBySide(String scenario, String halleyLabel, String peerLabel) {
    static final SideBySide LONGPOLL = new SideBySide("longpoll-side-by-side", "Halley (native long-poll)",
            "CometD 9 (Bayeux long-poll)");
    static final SideBySide CHAT_WS = new SideBySide("chat-side-by-side", "Halley (native WebSocket)",
            "CometD 9 (Bayeux WebSocket)");
    static final SideBySide CHAT_LONGPOLL = new SideBySide("chat-side-by-side", "Halley (native long-poll)",
            "CometD 9 (Bayeux long-poll)");

    /**
     * One result holding both runs' rows (relabelled, paired step by step), both servers'
     * commands, and the ratios as notes.
     */
    Result combine(Result halley, Result peer) {
        List<Row> hs = measured(halley);
        List<Row> ps = measured(peer);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < Math.max(hs.size(), ps.size()); i++) {
            if (i < hs.size()) {
                rows.add(relabel(hs.get(i), halleyLabel));
            }
            if (i < ps.size()) {
                rows.add(relabel(ps.get(i), peerLabel));
            }
            if (i < hs.size() && i < ps.size()) {
                Row h = hs.get(i);
                Row p = ps.get(i);
                notes.add(String.format(Locale.ROOT, "Halley / CometD%s: throughput %s, p99 %s, server RSS %s"
                        + " (throughput above 1 and p99, RSS below 1 favour Halley).", hs.size() > 1 ? " at " + step(h) : "",
                        ratio(h.throughput(), p.throughput()), ratio(h.p99Ms(), p.p99Ms()), ratio(h.serverRssMiB(), p.serverRssMiB())));
            }
        }
        Row ht = totals(halley);
        Row pt = totals(peer);
        if (ht != null && pt != null) {
            rows.add(relabel(ht, halleyLabel));
            rows.add(relabel(pt, peerLabel));
            notes.add("Halley / CometD heap per connection: " + ratio(number(ht, "heapPerConnBytes"), number(pt, "heapPerConnBytes"))
                    + " (server heap after a full GC, connected minus baseline, per client).");
        }
        if (hs.get(0).unit().equals("cycles/s")) {
            notes.add("A cycle is one answer carrying ≥1 message; a server that falls behind the pace answers with"
                    + " several messages at once, so compare deliveries/s and latency as well as cycles/s.");
        }
        notes.add(halleyLabel + " vs " + peerLabel + ": different protocols on the same workload, since Halley"
                + " does not speak Bayeux yet; the servers ran one after the other, each alone with the generator.");
        notes.add("Load average (1/5/15 min) at start → end: Halley run " + halley.generator().get("loadAverageAtStart")
                + " → " + halley.generator().get("loadAverageAtEnd") + "; CometD run " + peer.generator().get("loadAverageAtStart")
                + " → " + peer.generator().get("loadAverageAtEnd") + " (the servers' own runnable threads count in it).");
        notes.addAll(halley.notes().stream().map(n -> "Halley: " + n).toList());
        notes.addAll(peer.notes().stream().map(n -> "CometD: " + n).toList());
        Map<String, Object> servers = new LinkedHashMap<>();
        servers.put("halley", halley.server());
        servers.put("cometd", peer.server());
        return new Result(scenario, halley.startedAt(), halley.flags(), halley.generator(), servers, rows, notes);
    }

    private static List<Row> measured(Result r) {
        return r.rows().stream().filter(row -> !Double.isNaN(row.throughput())).toList();
    }

    private static Row totals(Result r) {
        return r.rows().stream().filter(row -> row.label().equals("totals")).findFirst().orElse(null);
    }

    /** The step part of a row's label: {@code ws 1000 msg/s} → {@code 1000 msg/s}. */
    private static String step(Row r) {
        Object rate = r.extra().get("rate");
        return rate instanceof Double d ? SteppedRates.rateLabel(d) + " msg/s" : r.label();
    }

    private static Row relabel(Row r, String server) {
        return new Row(server + ": " + r.label(), r.throughput(), r.unit(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(),
                r.errors(), r.serverCpuPct(), r.serverRssMiB(), r.extra());
    }

    static String ratio(double halley, double peer) {
        return Double.isNaN(halley) || Double.isNaN(peer) || peer == 0 ? "–"
                : String.format(Locale.ROOT, "%.2f×", halley / peer);
    }

    /** The side-by-side table: each step's two rows and their ratio row, then the totals with theirs. */
    void table(Result r, PrintStream out) {
        List<Row> steps = r.rows().stream().filter(row -> !Double.isNaN(row.throughput())).toList();
        String unit = steps.get(0).unit();
        boolean deliveriesColumn = !unit.equals("deliveries/s");
        out.printf(Locale.ROOT, "%n## %s: %s vs %s%n%n", scenario.replace("-side-by-side", " side by side"), halleyLabel, peerLabel);
        out.println("| server (protocol) | " + unit + (deliveriesColumn ? " | deliveries/s" : "")
                + " | p50 ms | p99 ms | p99.9 ms | max ms | errors | lost | server CPU % | server RSS MiB |");
        out.println("| --- | ---: " + (deliveriesColumn ? "| ---: " : "") + "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int i = 0; i < steps.size(); i++) {
            Row h = steps.get(i);
            printRow(out, h, deliveriesColumn);
            if (i + 1 < steps.size() && h.label().startsWith(halleyLabel) && steps.get(i + 1).label().startsWith(peerLabel)) {
                Row p = steps.get(++i);
                printRow(out, p, deliveriesColumn);
                out.printf(Locale.ROOT, "| **Halley / CometD** | %s%s | %s | %s | %s | | | | %s | %s |%n", ratio(h.throughput(), p.throughput()),
                        deliveriesColumn ? " | " + ratio(deliveries(h), deliveries(p)) : "",
                        ratio(h.p50Ms(), p.p50Ms()), ratio(h.p99Ms(), p.p99Ms()), ratio(h.p999Ms(), p.p999Ms()),
                        ratio(h.serverCpuPct(), p.serverCpuPct()), ratio(h.serverRssMiB(), p.serverRssMiB()));
            }
        }
        totalsTable(r, out);
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

    private static void printRow(PrintStream out, Row row, boolean deliveriesColumn) {
        out.printf(Locale.ROOT, "| %s | %,.0f%s | %s | %s | %s | %s | %d | %s | %s | %s |%n", row.label(), row.throughput(),
                deliveriesColumn ? String.format(Locale.ROOT, " | %,d", (long) deliveries(row)) : "",
                num(row.p50Ms(), 2), num(row.p99Ms(), 2), num(row.p999Ms(), 2), num(row.maxMs(), 1), row.errors(),
                row.extra().getOrDefault("lost", "–"), num(row.serverCpuPct(), 0), num(row.serverRssMiB(), 0));
    }

    /** Chat: the whole run's counts and memory per connection, Halley's and the peer's, and the memory ratio. */
    private void totalsTable(Result r, PrintStream out) {
        List<Row> totals = r.rows().stream().filter(row -> row.label().endsWith(": totals")).toList();
        if (totals.size() != 2) {
            return;
        }
        out.println();
        out.println("| server (protocol): whole run | clients | published | delivered | expected | lost | duplicates | reordered"
                + " | dropped | heap MiB (baseline → connected) | heap per connection (bytes) |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Row t : totals) {
            Map<String, Object> x = t.extra();
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s → %s | %s |%n", t.label(), x.get("clients"),
                    x.get("published"), x.get("delivered"), x.get("expected"), x.get("lost"), x.get("duplicates"),
                    x.get("reordered"), x.get("dropped"), num(number(t, "heapBaselineMiB"), 0),
                    num(number(t, "heapConnectedMiB"), 0), num(number(t, "heapPerConnBytes"), 0));
        }
        out.printf(Locale.ROOT, "| **Halley / CometD** | | | | | | | | | | %s |%n",
                ratio(number(totals.get(0), "heapPerConnBytes"), number(totals.get(1), "heapPerConnBytes")));
    }

    /** A number in a row's details, NaN when absent or negative (unknown). */
    private static double number(Row r, String key) {
        Object v = r.extra().get(key);
        return v instanceof Number n && n.doubleValue() >= 0 ? n.doubleValue() : Double.NaN;
    }

    private static double deliveries(Row r) {
        return ((Number) r.extra().getOrDefault("deliveries/s", 0L)).doubleValue();
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
