package dev.halley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The summary table (terminal, Markdown-friendly) and the JSON result file. */
public final class Report {
    private Report() {
    }

    public static void table(Result r, PrintStream out) {
        out.printf(Locale.ROOT, "%n## %s%n%n", r.scenario());
        out.println("| step | throughput | p50 ms | p99 ms | p99.9 ms | max ms | errors | server CPU % | server RSS MiB | details |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        for (Row row : r.rows()) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |%n", row.label(),
                    Double.isNaN(row.throughput()) ? "–" : num(row.throughput(), 0) + " " + row.unit(), num(row.p50Ms(), 2), num(row.p99Ms(), 2), num(row.p999Ms(), 2), num(row.maxMs(), 1),
                    row.errors(), num(row.serverCpuPct(), 0), num(row.serverRssMiB(), 0), details(row.extra()));
        }
        Object load = r.generator().get("loadAverageAtStart");
        out.printf(Locale.ROOT, "%nGenerator: %s, %s cores, io %s; load average at start %s, at end %s.%n",
                r.generator().get("jdk"), r.generator().get("cores"), r.generator().get("io"), load,
                r.generator().get("loadAverageAtEnd"));
        Object cmd = r.server().get("command");
        if (cmd != null) {
            out.println("Server: " + cmd);
        }
        for (String note : r.notes()) {
            out.println();
            out.println("- " + note);
        }
        out.println();
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String details(Map<String, Object> extra) {
        StringBuilder sb = new StringBuilder();
        extra.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(k).append('=').append(v instanceof Double d ? num(d, 2) : v);
        });
        return sb.toString();
    }

    public static void json(Result r, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), r);
    }
}
