package dev.halley.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The median of repeated runs of one scenario ({@code --repeat N}): the machine is shared and
 * noisy, so the figure quoted is the median, never the best run. Rows are matched by label and
 * by their place among rows of the same label (a scenario may print one label several times);
 * a row that only some runs reached (a stepped rate one run stopped before) is the median of
 * those, and says how many.
 */
final class Medians {
    private Medians() {
    }

    static Result of(List<Result> runs) {
        if (runs.size() == 1) {
            return runs.get(0);
        }
        Map<String, List<Row>> byKey = new LinkedHashMap<>();
        for (Result r : runs) {
            Map<String, Integer> seen = new HashMap<>();
            for (Row row : r.rows()) {
                int n = seen.merge(row.label(), 1, Integer::sum);
                byKey.computeIfAbsent(row.label() + "#" + n, k -> new ArrayList<>()).add(row);
            }
        }
        List<Row> rows = new ArrayList<>();
        byKey.values().forEach(same -> rows.add(median(same, runs.size())));
        Result first = runs.get(0);
        List<String> notes = new ArrayList<>(first.notes());
        notes.add(0, "median of " + runs.size() + " runs, each against a freshly started server; errors are the"
                + " largest of the runs; the details column is from the run with the median throughput.");
        return new Result(first.scenario(), first.startedAt(), first.flags(), first.generator(), first.server(), rows, notes);
    }

    private static Row median(List<Row> same, int runs) {
        List<Row> sorted = new ArrayList<>(same);
        sorted.sort((a, b) -> Double.compare(nanLast(a.throughput()), nanLast(b.throughput())));
        Row mid = sorted.get((sorted.size() - 1) / 2);
        Map<String, Object> extra = new LinkedHashMap<>(mid.extra());
        extra.put("runs", same.size() == runs ? runs : same.size() + " of " + runs);
        return new Row(mid.label(), med(same, Row::throughput), mid.unit(), med(same, Row::p50Ms), med(same, Row::p99Ms),
                med(same, Row::p999Ms), med(same, Row::maxMs), same.stream().mapToLong(Row::errors).max().orElse(0),
                med(same, Row::serverCpuPct), med(same, Row::serverRssMiB), extra);
    }

    /** The median of the defined values (NaN when none is); the mean of the two middle ones for an even count. */
    static double med(List<Row> rows, ToDoubleFunction<Row> f) {
        double[] v = rows.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static double nanLast(double d) {
        return Double.isNaN(d) ? Double.MAX_VALUE : d;
    }
}
