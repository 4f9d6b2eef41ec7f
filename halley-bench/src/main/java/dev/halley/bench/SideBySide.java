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
 * Bayeux, Halley's rows are its native protocol and the labels say so. A third run, Halley on
 * its native protocol as a reference ({@code fanout --peer vertx}), adds its row after each pair.
 *
 * @param scenario    what the combined result is called ({@code longpoll-side-by-side}, …)
 * @param halleyLabel Halley's server and protocol, e.g. {@code Halley (native long-poll)}
 * @param peerLabel   the peer's, e.g. {@code CometD 9 (Bayeux long-poll)}
 * @param peerName    the peer in ratios and notes, e.g. {@code CometD}
 */
record SideBySide(String scenario, String halleyLabel, String peerLabel, String peerName) {
    /**
     * One result holding both runs' rows (relabelled, paired step by step), both servers'
     * commands, and the ratios as notes.
     */
    Result combine(Result halley, Result peer) {
        return combine(halley, peer, null, null);
    }

    /**
     * As {@link #combine(Result, Result)}, with {@code reference} (null: none), another Halley run
     * of the same workload, its rows labelled {@code referenceLabel} after each pair.
     */
    Result combine(Result halley, Result peer, Result reference, String referenceLabel) {
        List<Row> hs = measured(halley);
        List<Row> ps = measured(peer);
        List<Row> rs = reference == null ? List.of() : measured(reference);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < Math.max(Math.max(hs.size(), ps.size()), rs.size()); i++) {
            if (i < hs.size()) {
                rows.add(ComparedRows.relabel(hs.get(i), halleyLabel));
            }
            if (i < ps.size()) {
                rows.add(ComparedRows.relabel(ps.get(i), peerLabel));
            }
            if (i < rs.size()) {
                rows.add(ComparedRows.relabel(rs.get(i), referenceLabel));
            }
            if (i < hs.size() && i < ps.size()) {
                Row h = hs.get(i);
                Row p = ps.get(i);
                notes.add(String.format(Locale.ROOT, "Halley / %s%s: throughput %s, p99 %s, server RSS %s%s"
                        + " (throughput above 1 and p99, RSS below 1 favour Halley).", peerName, hs.size() > 1 ? " at " + step(h) : "",
                        ComparedRows.ratio(h.throughput(), p.throughput()), ComparedRows.ratio(h.p99Ms(), p.p99Ms()), ComparedRows.ratio(h.serverRssMiB(), p.serverRssMiB()),
                        fullDelivery(h, p)));
            }
        }
        Row ht = totals(halley);
        Row pt = totals(peer);
        if (ht != null && pt != null) {
            rows.add(ComparedRows.relabel(ht, halleyLabel));
            rows.add(ComparedRows.relabel(pt, peerLabel));
            if (reference != null && totals(reference) != null) {
                rows.add(ComparedRows.relabel(totals(reference), referenceLabel));
            }
            notes.add("Halley / " + peerName + " heap per connection: " + ComparedRows.ratio(ComparedRows.number(ht, "heapPerConnBytes"), ComparedRows.number(pt, "heapPerConnBytes"))
                    + " (server heap after a full GC, connected minus baseline, per client).");
        }
        if (hs.get(0).unit().equals("cycles/s")) {
            notes.add("A cycle is one answer carrying ≥1 message; a server that falls behind the pace answers with"
                    + " several messages at once, so compare deliveries/s and latency as well as cycles/s.");
        }
        if (protocol(halleyLabel).equals(protocol(peerLabel))) {
            notes.add(halleyLabel + " vs " + peerLabel + ": the same protocol and the same client bytes on the same workload;"
                    + " the servers ran one after the other, each alone with the generator.");
        } else if (peerLabel.contains("Bayeux")) {
            notes.add(halleyLabel + " vs " + peerLabel + ": different protocols on the same workload (--peer cometd"
                    + " adds Halley over Bayeux); the servers ran one after the other, each alone with the generator.");
        } else {
            // Pushpin, Nchan: the same HTTP transport, each server's own message framing.
            notes.add(halleyLabel + " vs " + peerLabel + ": the same transport, each server framing a message its own way"
                    + " (Halley's carries its channel and offset; the peer delivers the published {\"channel\",\"data\"} as it is),"
                    + " so bytes per message differ by a few; the servers ran one after the other, each alone with the generator.");
        }
        notes.add("Load average (1/5/15 min) at start → end: Halley run " + load(halley) + "; " + peerName + " run " + load(peer)
                + (reference == null ? "" : "; reference run " + load(reference)) + " (the servers' own runnable threads count in it).");
        notes.addAll(halley.notes().stream().map(n -> "Halley: " + n).toList());
        notes.addAll(peer.notes().stream().map(n -> peerName + ": " + n).toList());
        Map<String, Object> servers = new LinkedHashMap<>();
        servers.put("halley", halley.server());
        servers.put(peerName.toLowerCase(Locale.ROOT), peer.server());
        if (reference != null) {
            notes.addAll(reference.notes().stream().map(n -> "Reference: " + n).toList());
            servers.put("reference", reference.server());
        }
        return new Result(scenario, halley.startedAt(), halley.flags(), halley.generator(), servers, rows, notes);
    }

    private static String load(Result r) {
        return r.generator().get("loadAverageAtStart") + " → " + r.generator().get("loadAverageAtEnd");
    }

    /** {@code Halley (SockJS WebSocket)} → {@code SockJS WebSocket}. */
    private static String protocol(String label) {
        int open = label.indexOf('(');
        int close = label.indexOf(')', open + 1);
        return open < 0 || close < 0 ? label : label.substring(open + 1, close);
    }

    /** A single publish's time to full delivery on both, when the rows measured it. */
    private static String fullDelivery(Row h, Row p) {
        double hm = ComparedRows.number(h, "fullDeliveryMs");
        double pm = ComparedRows.number(p, "fullDeliveryMs");
        return Double.isNaN(hm) && Double.isNaN(pm) ? ""
                : String.format(Locale.ROOT, ", time to full delivery %s vs %s ms (%s)", ComparedRows.num(hm, 1), ComparedRows.num(pm, 1), ComparedRows.ratio(hm, pm));
    }

    private static List<Row> measured(Result r) {
        return ComparedRows.measured(r);
    }

    private static Row totals(Result r) {
        return r.rows().stream().filter(row -> row.label().equals("totals")).findFirst().orElse(null);
    }

    /** The step part of a row's label: {@code ws 1000 msg/s} → {@code 1000 msg/s}. */
    private static String step(Row r) {
        Object rate = r.extra().get("rate");
        return rate instanceof Double d ? SteppedRates.rateLabel(d) + " msg/s" : r.label();
    }

    /** The side-by-side table: each step's two rows and their ratio row, then the totals with theirs. */
    void table(Result r, PrintStream out) {
        List<Row> steps = ComparedRows.measured(r);
        String unit = steps.get(0).unit();
        out.printf(Locale.ROOT, "%n## %s: %s vs %s%n%n", scenario.replace("-side-by-side", " side by side"), halleyLabel, peerLabel);
        boolean deliveriesColumn = ComparedRows.header(out, unit);
        for (int i = 0; i < steps.size(); i++) {
            Row h = steps.get(i);
            ComparedRows.row(out, h, deliveriesColumn);
            if (i + 1 < steps.size() && h.label().startsWith(halleyLabel) && steps.get(i + 1).label().startsWith(peerLabel)) {
                Row p = steps.get(++i);
                ComparedRows.row(out, p, deliveriesColumn);
                ComparedRows.ratioRow(out, "**Halley / " + peerName + "**", h, p, deliveriesColumn);
            }
        }
        totalsTable(r, out);
        ComparedRows.footer(out, r);
    }

    /** Chat, fan-out: the whole run's counts and memory per connection, Halley's, the peer's (and the reference's), and the memory ratio. */
    private void totalsTable(Result r, PrintStream out) {
        List<Row> totals = r.rows().stream().filter(row -> row.label().endsWith(": totals")).toList();
        if (totals.size() < 2) {
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
                    x.get("reordered"), x.get("dropped"), ComparedRows.num(ComparedRows.number(t, "heapBaselineMiB"), 0),
                    ComparedRows.num(ComparedRows.number(t, "heapConnectedMiB"), 0), ComparedRows.num(ComparedRows.number(t, "heapPerConnBytes"), 0));
        }
        out.printf(Locale.ROOT, "| **Halley / %s** | | | | | | | | | | %s |%n", peerName,
                ComparedRows.ratio(ComparedRows.number(totals.get(0), "heapPerConnBytes"), ComparedRows.number(totals.get(1), "heapPerConnBytes")));
    }
}
