package dev.halley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG chart of one result: throughput per row as bars (left axis) and p50 / p99
 * latency as lines (right axis). No dependency; good enough for the docs.
 */
public final class SvgChart {
    private static final int W = 760;
    private static final int H = 360;
    private static final int L = 80;
    private static final int R = 70;
    private static final int T = 40;
    private static final int B = 70;
    /** Bar, p50 and p99 colours, and the colour's name for the legend. */
    private static final String[] SINGLE = {"#4a7ebb", "#2a9d3a", "#d62728", "blue"};
    private static final String[][] MULTI = {{"#4a7ebb", "#1f4e8c", "#1f4e8c", "blue"}, {"#e8a25c", "#a85400", "#a85400", "orange"},
            {"#8fc98f", "#2a7a2a", "#2a7a2a", "green"}};

    private SvgChart() {
    }

    public static void write(Result result, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, render(result));
    }

    /**
     * A side-by-side chart: for each step, one bar per server (the rows of {@code result} whose
     * labels start with each name, in order), and each server's p50 / p99 lines.
     */
    public static void writeSideBySide(Result result, List<String> servers, Path file) throws IOException {
        List<Series> series = servers.stream().map(name -> new Series(name, result.rows().stream()
                .filter(r -> !Double.isNaN(r.throughput()) && r.label().startsWith(name)).toList())).toList();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, render("halley-bench " + result.scenario(), series));
    }

    /** One server's rows, drawn in one colour. */
    private record Series(String name, List<Row> rows) {
    }

    static String render(Result result) {
        // Rows without a throughput (totals) carry counts, not a point on the chart.
        List<Row> rows = result.rows().stream().filter(r -> !Double.isNaN(r.throughput())).toList();
        return render("halley-bench " + result.scenario(), List.of(new Series("", rows)));
    }

    private static String render(String title, List<Series> series) {
        List<Row> all = series.stream().flatMap(x -> x.rows().stream()).toList();
        List<Row> slots = series.get(0).rows();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(text(W / 2.0, 22, "middle", title + (all.isEmpty() ? "" : " — bars: " + all.get(0).unit() + ", lines: p50 / p99 ms"), 14));
        double maxTp = Math.max(all.stream().mapToDouble(Row::throughput).filter(d -> !Double.isNaN(d)).max().orElse(1), 1e-9);
        double maxMs = Math.max(all.stream().mapToDouble(Row::p99Ms).filter(d -> !Double.isNaN(d)).max().orElse(1), 1e-9);
        int plotW = W - L - R;
        int plotH = H - T - B;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", L, H - B, W - R, H - B));
        for (int i = 0; i <= 4; i++) {
            double y = H - B - plotH * i / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", L, y, W - R, y));
            s.append(text(L - 6, y + 4, "end", String.format(Locale.ROOT, "%,.0f", maxTp * i / 4), 11));
            s.append(text(W - R + 6, y + 4, "start", String.format(Locale.ROOT, "%.1f ms", maxMs * i / 4), 11));
        }
        double slot = (double) plotW / Math.max(1, slots.size());
        double barW = slot * 0.7 / series.size();
        for (int i = 0; i < slots.size(); i++) {
            s.append(text(L + slot * i + slot / 2, H - B + 16, "middle", series.size() == 1 ? slots.get(i).label() : step(slots.get(i)), 11));
        }
        StringBuilder legend = new StringBuilder();
        for (int k = 0; k < series.size(); k++) {
            Series x = series.get(k);
            String[] colours = series.size() == 1 ? SINGLE : MULTI[k % MULTI.length];
            StringBuilder p50 = new StringBuilder();
            StringBuilder p99 = new StringBuilder();
            for (int i = 0; i < x.rows().size() && i < slots.size(); i++) {
                Row row = x.rows().get(i);
                double h = plotH * row.throughput() / maxTp;
                double left = L + slot * i + slot * 0.15 + barW * k;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                        left, H - B - h, barW, h, colours[0]));
                point(p50, left + barW / 2, row.p50Ms(), maxMs, plotH);
                point(p99, left + barW / 2, row.p99Ms(), maxMs, plotH);
            }
            s.append(polyline(p50, colours[1], series.size() > 1)).append(polyline(p99, colours[2], false));
            legend.append(series.size() == 1 ? "" : x.name() + " (" + colours[3] + "); ");
        }
        s.append(text(L, H - 20, "start", series.size() == 1
                ? "bars: throughput (left axis); green: p50, red: p99 latency (right axis)"
                : legend + "bars: throughput, dashed: p50, solid: p99 (right axis)", 11));
        return s.append("</svg>\n").toString();
    }

    /** A step's name without the server: its rate when it has one. */
    private static String step(Row row) {
        Object rate = row.extra().get("rate");
        return rate instanceof Double d ? SteppedRates.rateLabel(d) + " msg/s" : row.label();
    }

    private static void point(StringBuilder pts, double x, double ms, double maxMs, int plotH) {
        if (!Double.isNaN(ms)) {
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, (double) (H - B) - plotH * ms / maxMs));
        }
    }

    /** The line through {@code pts} ("x,y x,y …"), with a dot on each point so a single one shows. */
    private static String polyline(StringBuilder pts, String color, boolean dashed) {
        if (pts.length() == 0) {
            return "";
        }
        StringBuilder s = new StringBuilder("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + color + "\""
                + (dashed ? " stroke-dasharray=\"5,3\"" : "") + " points=\"" + pts + "\"/>\n");
        for (String xy : pts.toString().trim().split(" ")) {
            String[] c = xy.split(",");
            s.append("<circle cx=\"").append(c[0]).append("\" cy=\"").append(c[1]).append("\" r=\"3\" fill=\"").append(color).append("\"/>\n");
        }
        return s.toString();
    }

    private static String text(double x, double y, String anchor, String t, int size) {
        String esc = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n", x, y, anchor, size, esc);
    }
}
