package dev.halley.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One workload on several servers or protocols, one run after the other (never two servers at
 * once), each server alone with the generator: every run's rows in one table, grouped by step
 * (the same step of each run one under the other), each step followed by its {@link Ratio} rows;
 * then each run's counts and heap per connection, with their ratios.
 *
 * <p>Steps are matched by their rate and messages per publish where a run steps its rate
 * ({@link SteppedRates}), otherwise by label (the same in every run: {@code 1 publish → 10000},
 * {@code 2000 clients, 10 msg/s}), and by their place among steps of the same key. A step that
 * only some runs reached (one stopped stepping earlier) shows only theirs, and no ratio.
 *
 * @param scenario    what the combined result is called ({@code longpoll-vs-cometd}, …)
 * @param contenders  the runs, in the order they run and are listed in each step
 * @param ratios      the ratio rows printed after each step, first the headline
 * @param protocolNote what is compared with what, said once in the notes
 */
record Comparison(String scenario, List<Contender> contenders, List<Ratio> ratios, String protocolNote) {

    /**
     * One run of the comparison.
     *
     * @param label     server and protocol, e.g. {@code Halley (Bayeux long-polling)}; prefixes its rows
     * @param ratioName what ratio rows call it, e.g. {@code Halley Bayeux}
     * @param name      for file names and the result's servers, e.g. {@code halley-bayeux}
     * @param scenario  the scenario it runs
     * @param flags     the flags it runs with
     */
    record Contender(String label, String ratioName, String name, String scenario, Flags flags) {
    }

    /**
     * A ratio row: contender {@code over}'s figures divided by contender {@code under}'s (indexes
     * into the contenders); a {@code headline} ratio is printed in bold.
     */
    record Ratio(int over, int under, boolean headline) {
    }

    /** Runs one scenario with its flags, writing per-run results beside {@code out}; {@code --repeat} is its business. */
    @FunctionalInterface
    interface Runner {
        Result run(String scenario, Flags flags, Path out) throws Exception;
    }

    /**
     * Runs every contender in turn, prints and writes each run's own table and JSON
     * ({@code OUT-NAME.json}), then the combined table, its JSON ({@code out}) and an SVG chart beside it.
     */
    Result run(Runner runner, Path out, PrintStream print) throws Exception {
        List<Result> results = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Contender c : contenders) {
            Path own = BenchMain.sibling(out, "-" + c.name());
            System.err.println("## " + c.label() + ": " + c.scenario() + " (" + own.getFileName() + ")");
            Result r = runner.run(c.scenario(), c.flags(), own);
            Report.table(r, print);
            Report.json(r, own);
            results.add(r);
            files.add(own.getFileName());
        }
        Result all = combine(results);
        table(all, print);
        Report.json(all, out);
        SvgChart.writeSideBySide(all, contenders.stream().map(Contender::label).toList(),
                Path.of(out.toString().replaceFirst("\\.json$", "") + ".svg"));
        System.err.println("results: " + out + " (and " + files.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("")
                + ")");
        return all;
    }

    /**
     * One result holding every run's rows (relabelled {@code LABEL: step}, grouped by step), every
     * server's command, and notes: the ratios, what is compared, the load averages, each run's notes.
     */
    Result combine(List<Result> results) {
        List<List<Step>> steps = new ArrayList<>();
        for (Result r : results) {
            steps.add(steps(r));
        }
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String key : stepOrder(steps)) {
            Row[] same = new Row[results.size()];
            for (int k = 0; k < results.size(); k++) {
                same[k] = steps.get(k).stream().filter(s -> s.key().equals(key)).map(Step::row).findFirst().orElse(null);
                if (same[k] != null) {
                    rows.add(ComparedRows.relabel(same[k], contenders.get(k).label()));
                }
            }
            for (Ratio q : ratios) {
                Row a = same[q.over()];
                Row b = same[q.under()];
                if (a != null && b != null) {
                    notes.add(String.format(Locale.ROOT, "%s at %s: throughput %s, p99 %s, server CPU %s, RSS %s.", ratioLabel(q),
                            stepName(b), ComparedRows.ratio(a.throughput(), b.throughput()), ComparedRows.ratio(a.p99Ms(), b.p99Ms()),
                            ComparedRows.ratio(a.serverCpuPct(), b.serverCpuPct()), ComparedRows.ratio(a.serverRssMiB(), b.serverRssMiB())));
                }
            }
        }
        for (int k = 0; k < results.size(); k++) {
            for (Row t : totals(results.get(k))) {
                rows.add(ComparedRows.relabel(t, contenders.get(k).label()));
            }
        }
        for (Ratio q : ratios) {
            double a = heapPerConn(results.get(q.over()));
            double b = heapPerConn(results.get(q.under()));
            if (!Double.isNaN(a) && !Double.isNaN(b)) {
                notes.add(ratioLabel(q) + " heap per connection: " + ComparedRows.ratio(a, b)
                        + " (server heap after a full GC, connected minus baseline, per client).");
            }
        }
        notes.add("Throughput and deliveries above 1 favour the first server of a ratio; latency, CPU, RSS and heap below 1 do.");
        notes.add(protocolNote);
        StringBuilder load = new StringBuilder("Load average (1/5/15 min) at start → end:");
        for (int k = 0; k < results.size(); k++) {
            Map<String, Object> g = results.get(k).generator();
            load.append(k == 0 ? " " : "; ").append(contenders.get(k).label()).append(' ')
                    .append(g.get("loadAverageAtStart")).append(" → ").append(g.get("loadAverageAtEnd"));
        }
        notes.add(load.append(" (the servers' own runnable threads count in it).").toString());
        Map<String, Object> servers = new LinkedHashMap<>();
        for (int k = 0; k < results.size(); k++) {
            String label = contenders.get(k).label();
            results.get(k).notes().forEach(n -> notes.add(label + ": " + n));
            servers.put(contenders.get(k).name(), results.get(k).server());
        }
        Result first = results.get(0);
        return new Result(scenario, first.startedAt(), first.flags(), first.generator(), servers, rows, notes);
    }

    /** A measured row of one run and the key it is matched by. */
    private record Step(String key, Row row) {
    }

    /** The measured rows of a run (not its totals), each keyed by its step and place among same-keyed ones. */
    private static List<Step> steps(Result r) {
        Map<String, Integer> seen = new HashMap<>();
        List<Step> out = new ArrayList<>();
        for (Row row : r.rows()) {
            if (Double.isNaN(row.throughput())) {
                continue;
            }
            String key = stepKey(row);
            out.add(new Step(key + "#" + seen.merge(key, 1, Integer::sum), row));
        }
        return out;
    }

    /** A stepped rate's rate and batch ({@code 100×1}); otherwise the row's label, the same in every run. */
    static String stepKey(Row row) {
        Object rate = row.extra().get("rate");
        Object batch = row.extra().get("messagesPerPublish");
        return rate instanceof Number r && batch instanceof Number b
                ? SteppedRates.rateLabel(r.doubleValue()) + "×" + b : row.label();
    }

    /**
     * Every run's step keys in one order: each run's own order kept, a key that an earlier run
     * did not reach placed right after the run's previous key.
     */
    static List<String> stepOrder(List<List<Step>> runs) {
        List<String> order = new ArrayList<>();
        for (List<Step> run : runs) {
            int at = 0;
            for (Step s : run) {
                int i = order.indexOf(s.key());
                if (i < 0) {
                    order.add(at, s.key());
                    at++;
                } else {
                    at = i + 1;
                }
            }
        }
        return order;
    }

    private static List<Row> totals(Result r) {
        return r.rows().stream().filter(row -> Double.isNaN(row.throughput())).toList();
    }

    /** The run's heap per connection (totals first, else any row that measured it); NaN when none did. */
    private static double heapPerConn(Result r) {
        List<Row> rows = new ArrayList<>(totals(r));
        rows.addAll(r.rows());
        return rows.stream().mapToDouble(row -> ComparedRows.number(row, "heapPerConnBytes")).filter(d -> !Double.isNaN(d)).findFirst()
                .orElse(Double.NaN);
    }

    private String ratioLabel(Ratio q) {
        return contenders.get(q.over()).ratioName() + " / " + contenders.get(q.under()).ratioName();
    }

    private static String stepName(Row r) {
        Object rate = r.extra().get("rate");
        Object batch = r.extra().get("messagesPerPublish");
        if (rate instanceof Number d && batch instanceof Number b) {
            return SteppedRates.rateLabel(d.doubleValue()) + " msg/s" + (b.intValue() == 1 ? "" : " (" + b + " a publish)");
        }
        return r.label();
    }

    /** The combined table: each step's rows and ratio rows, then the counts and memory of each run with the heap ratios. */
    void table(Result r, PrintStream out) {
        List<Row> measured = ComparedRows.measured(r);
        String unit = measured.isEmpty() ? "" : measured.get(0).unit();
        out.printf(Locale.ROOT, "%n## %s: %s%n%n", scenario, String.join(" vs ",
                contenders.stream().map(Contender::label).toList()));
        boolean deliveriesColumn = ComparedRows.header(out, unit);
        Row[] step = new Row[contenders.size()];
        for (int i = 0; i < measured.size(); i++) {
            Row row = measured.get(i);
            int k = contenderOf(row);
            ComparedRows.row(out, row, deliveriesColumn);
            step[k] = row;
            if (i + 1 == measured.size() || !sameStep(row, measured.get(i + 1))) {
                ratioRows(out, step, deliveriesColumn);
                step = new Row[contenders.size()];
            }
        }
        memoryTable(r, out);
        ComparedRows.footer(out, r);
    }

    private void ratioRows(PrintStream out, Row[] step, boolean deliveriesColumn) {
        for (Ratio q : ratios) {
            Row a = step[q.over()];
            Row b = step[q.under()];
            if (a == null || b == null) {
                continue;
            }
            String name = q.headline() ? "**" + ratioLabel(q) + "**" : ratioLabel(q);
            ComparedRows.ratioRow(out, name, a, b, deliveriesColumn);
        }
    }

    /** Whether {@code next} is a later contender's row of {@code row}'s step ({@link #combine} lists a step's rows together). */
    private boolean sameStep(Row row, Row next) {
        return contenderOf(next) > contenderOf(row) && stepKey(unlabelled(next)).equals(stepKey(unlabelled(row)));
    }

    /** Which contender a combined row belongs to, by its label's prefix. */
    private int contenderOf(Row row) {
        for (int k = 0; k < contenders.size(); k++) {
            if (row.label().startsWith(contenders.get(k).label() + ": ")) {
                return k;
            }
        }
        throw new IllegalArgumentException("row of no contender: " + row.label());
    }

    /** The row as its run labelled it (the step key of a non-stepped row is its own label). */
    private Row unlabelled(Row row) {
        String label = row.label().substring(contenders.get(contenderOf(row)).label().length() + 2);
        return new Row(label, row.throughput(), row.unit(), row.p50Ms(), row.p99Ms(), row.p999Ms(), row.maxMs(), row.errors(),
                row.serverCpuPct(), row.serverRssMiB(), row.extra());
    }

    /** Each run's whole-run counts (its totals row, else its measured row) and heap per connection, then the heap ratios. */
    private void memoryTable(Result r, PrintStream out) {
        Row[] whole = new Row[contenders.size()];
        for (Row row : r.rows()) {
            int k = contenderOf(row);
            if (whole[k] == null || Double.isNaN(row.throughput())) {
                whole[k] = row;
            }
        }
        out.println();
        out.println("| server (protocol): whole run | clients | published | delivered | expected | lost | duplicates | reordered"
                + " | dropped | heap MiB (baseline → connected) | heap per connection (bytes) |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int k = 0; k < whole.length; k++) {
            if (whole[k] == null) {
                continue;
            }
            Map<String, Object> x = whole[k].extra();
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s → %s | %s |%n", contenders.get(k).label(),
                    x.getOrDefault("clients", "–"), x.getOrDefault("published", "–"), x.getOrDefault("delivered", "–"),
                    x.getOrDefault("expected", "–"), x.getOrDefault("lost", "–"), x.getOrDefault("duplicates", "–"),
                    x.getOrDefault("reordered", "–"), x.getOrDefault("dropped", "–"), ComparedRows.num(ComparedRows.number(whole[k], "heapBaselineMiB"), 0),
                    ComparedRows.num(ComparedRows.number(whole[k], "heapConnectedMiB"), 0), ComparedRows.num(ComparedRows.number(whole[k], "heapPerConnBytes"), 0));
        }
        for (Ratio q : ratios) {
            if (whole[q.over()] != null && whole[q.under()] != null) {
                String name = q.headline() ? "**" + ratioLabel(q) + "**" : ratioLabel(q);
                out.printf(Locale.ROOT, "| %s | | | | | | | | | | %s |%n", name,
                        ComparedRows.ratio(ComparedRows.number(whole[q.over()], "heapPerConnBytes"), ComparedRows.number(whole[q.under()], "heapPerConnBytes")));
            }
        }
    }
}
