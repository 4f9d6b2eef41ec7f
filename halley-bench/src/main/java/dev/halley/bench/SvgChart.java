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

    private SvgChart() {
    }

    public static void write(Result result, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, render(result));
    }

    static String render(Result result) {
        // Rows without a throughput (totals) carry counts, not a point on the chart.
        List<Row> rows = result.rows().stream().filter(r -> !Double.isNaN(r.throughput())).toList();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(text(W / 2.0, 22, "middle", "halley-bench " + result.scenario()
                + (rows.isEmpty() ? "" : " — bars: " + rows.get(0).unit() + ", lines: p50 / p99 ms"), 14));
        double maxTp = rows.stream().mapToDouble(Row::throughput).filter(d -> !Double.isNaN(d)).max().orElse(1);
        double maxMs = rows.stream().mapToDouble(Row::p99Ms).filter(d -> !Double.isNaN(d)).max().orElse(1);
        maxTp = Math.max(maxTp, 1e-9);
        maxMs = Math.max(maxMs, 1e-9);
        int plotW = W - L - R;
        int plotH = H - T - B;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", L, H - B, W - R, H - B));
        for (int i = 0; i <= 4; i++) {
            double y = H - B - plotH * i / 4.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", L, y, W - R, y));
            s.append(text(L - 6, y + 4, "end", String.format(Locale.ROOT, "%,.0f", maxTp * i / 4), 11));
            s.append(text(W - R + 6, y + 4, "start", String.format(Locale.ROOT, "%.1f ms", maxMs * i / 4), 11));
        }
        int n = Math.max(1, rows.size());
        double slot = (double) plotW / n;
        StringBuilder p50 = new StringBuilder();
        StringBuilder p99 = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            double x = L + slot * i;
            double h = plotH * (Double.isNaN(row.throughput()) ? 0 : row.throughput()) / maxTp;
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7ebb\"/>%n",
                    x + slot * 0.15, H - B - h, slot * 0.7, h));
            s.append(text(x + slot / 2, H - B + 16, "middle", row.label(), 11));
            point(p50, x + slot / 2, row.p50Ms(), maxMs, plotH);
            point(p99, x + slot / 2, row.p99Ms(), maxMs, plotH);
        }
        s.append(polyline(p50, "#2a9d3a")).append(polyline(p99, "#d62728"));
        s.append(text(L, H - 20, "start", "bars: throughput (left axis); green: p50, red: p99 latency (right axis)", 11));
        return s.append("</svg>\n").toString();
    }

    private static void point(StringBuilder pts, double x, double ms, double maxMs, int plotH) {
        if (!Double.isNaN(ms)) {
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, (double) (H - B) - plotH * ms / maxMs));
        }
    }

    private static String polyline(StringBuilder pts, String color) {
        return pts.length() == 0 ? "" : "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + color + "\" points=\"" + pts + "\"/>\n";
    }

    private static String text(double x, double y, String anchor, String t, int size) {
        String esc = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n", x, y, anchor, size, esc);
    }
}
