package dev.halley.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts every side-by-side table shares ({@link Comparison} for any number of servers,
 * {@link SideBySide} for Halley, one peer and a reference): the header, a server's row, a ratio
 * row, the footer with the generator, the servers' command lines and the notes.
 */
final class ComparedRows {
    private ComparedRows() {
    }

    /** {@code over / under} as {@code 1.23×}, or a dash when either is missing. */
    static String ratio(double over, double under) {
        return Double.isNaN(over) || Double.isNaN(under) || under == 0 ? "–"
                : String.format(Locale.ROOT, "%.2f×", over / under);
    }

    /** A row of one server, its label prefixed with the server's name. */
    static Row relabel(Row r, String server) {
        return new Row(server + ": " + r.label(), r.throughput(), r.unit(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(),
                r.errors(), r.serverCpuPct(), r.serverRssMiB(), r.extra());
    }

    /** The measured rows (not the totals) of {@code r}. */
    static List<Row> measured(Result r) {
        return r.rows().stream().filter(row -> !Double.isNaN(row.throughput())).toList();
    }

    /** Prints the table header for rows in {@code unit}; returns whether a deliveries/s column follows (units other than deliveries). */
    static boolean header(PrintStream out, String unit) {
        boolean deliveriesColumn = !unit.equals("deliveries/s");
        out.println("| server (protocol) | " + unit + (deliveriesColumn ? " | deliveries/s" : "")
                + " | p50 ms | p99 ms | p99.9 ms | max ms | errors | lost | server CPU % | server RSS MiB |");
        out.println("| --- | ---: " + (deliveriesColumn ? "| ---: " : "") + "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        return deliveriesColumn;
    }

    static void row(PrintStream out, Row row, boolean deliveriesColumn) {
        out.printf(Locale.ROOT, "| %s | %,.0f%s | %s | %s | %s | %s | %d | %s | %s | %s |%n", row.label(), row.throughput(),
                deliveriesColumn ? String.format(Locale.ROOT, " | %,d", (long) deliveries(row)) : "",
                num(row.p50Ms(), 2), num(row.p99Ms(), 2), num(row.p999Ms(), 2), num(row.maxMs(), 1), row.errors(),
                row.extra().getOrDefault("lost", "–"), num(row.serverCpuPct(), 0), num(row.serverRssMiB(), 0));
    }

    /** The ratio row {@code name}: {@code a / b} column by column. */
    static void ratioRow(PrintStream out, String name, Row a, Row b, boolean deliveriesColumn) {
        out.printf(Locale.ROOT, "| %s | %s%s | %s | %s | %s | | | | %s | %s |%n", name, ratio(a.throughput(), b.throughput()),
                deliveriesColumn ? " | " + ratio(deliveries(a), deliveries(b)) : "",
                ratio(a.p50Ms(), b.p50Ms()), ratio(a.p99Ms(), b.p99Ms()), ratio(a.p999Ms(), b.p999Ms()),
                ratio(a.serverCpuPct(), b.serverCpuPct()), ratio(a.serverRssMiB(), b.serverRssMiB()));
    }

    /** The generator, each server's command line, then the notes. */
    static void footer(PrintStream out, Result r) {
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

    /** A figure of the row's details, NaN when absent or negative (not measured). */
    static double number(Row r, String key) {
        Object v = r.extra().get(key);
        return v instanceof Number n && n.doubleValue() >= 0 ? n.doubleValue() : Double.NaN;
    }

    static double deliveries(Row r) {
        return ((Number) r.extra().getOrDefault("deliveries/s", r.unit().equals("deliveries/s") ? r.throughput() : 0L)).doubleValue();
    }

    static String num(double v, int decimals) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
