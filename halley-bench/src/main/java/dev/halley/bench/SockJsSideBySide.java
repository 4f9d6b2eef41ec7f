package dev.halley.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code fanout --peer vertx}: the fan-out ({@link FanoutScenario}) over SockJS, run three times,
 * each server alone with the generator and each run {@code --repeat} times (medians):
 * <ol>
 *   <li>Halley's {@code channels} SockJS service ({@code fanout --transport sockjs-…});</li>
 *   <li>Vert.x web's SockJS handler, {@code VertxSockJsPeer} as a child JVM with the same heap
 *       and JVM flags ({@code fanout-vertx}); the generator sends it the same bytes;</li>
 *   <li>Halley's native protocol on the same workload, as a reference ({@code --reference ws},
 *       or {@code stream}, {@code sse}, {@code none}).</li>
 * </ol>
 * One table: per step Halley's row, Vert.x's, their ratio and the reference's row; then the
 * whole runs' counts (lost, duplicates, dropped) and heap per connection.
 */
final class SockJsSideBySide {
    private SockJsSideBySide() {
    }

    /** {@code --transport} for the Vert.x peer: {@code sockjs-ws} (default) or {@code sockjs-xhr-streaming}. */
    static Transport transport(Flags flags) {
        Transport transport = Transport.of(flags.string("transport", "sockjs-ws"));
        if (!transport.isSockJs()) {
            throw new IllegalArgumentException("the Vert.x peer speaks SockJS: --transport sockjs-ws or sockjs-xhr-streaming");
        }
        return transport;
    }

    static void run(Flags flags, Path out) throws Exception {
        Transport transport = transport(flags);
        Flags sockJs = flags.with("transport", transport.toString());
        String wire = transport == Transport.SOCKJS_WS ? "SockJS websocket" : "SockJS xhr-streaming";
        SideBySide side = new SideBySide("fanout-side-by-side", "Halley (" + wire + ")", "Vert.x web 5 (" + wire + ")", "Vert.x");
        Result halley = measure("fanout", sockJs, out, "-halley");
        Result vertx = measure("fanout-vertx", sockJs, out, "-vertx");
        String reference = flags.string("reference", "ws");
        Result ref = reference.equals("none") ? null : measure("fanout", flags.with("transport", reference), out, "-reference");
        String referenceLabel = "Halley (native " + reference + ", reference)";
        Result both = side.combine(halley, vertx, ref, referenceLabel);
        side.table(both, System.out);
        Report.json(both, out);
        List<String> series = new ArrayList<>(List.of(side.halleyLabel(), side.peerLabel()));
        if (ref != null) {
            series.add(referenceLabel);
        }
        SvgChart.writeSideBySide(both, series, Path.of(out.toString().replaceFirst("\\.json$", "") + ".svg"));
        System.err.println("results: " + out + " (and its -halley, -vertx" + (ref == null ? "" : ", -reference") + " siblings)");
    }

    /** One server's runs (their medians), printed and written beside {@code out} with {@code suffix}. */
    private static Result measure(String scenario, Flags flags, Path out, String suffix) throws Exception {
        Path file = BenchMain.sibling(out, suffix);
        System.err.println(String.format(Locale.ROOT, "%s --transport %s%s", scenario, flags.string("transport", ""),
                flags.has("repeat") ? " (" + flags.string("repeat", "1") + " runs)" : ""));
        Result r = BenchMain.repeated(scenario, flags, file);
        Report.table(r, System.out);
        Report.json(r, file);
        return r;
    }
}
