package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The side-by-side table: each step's rows paired with their ratio, a reference run after each pair, totals last. */
class SideBySideTest {
    private static final SideBySide SOCKJS = new SideBySide("fanout-side-by-side", "Halley (SockJS websocket)",
            "Vert.x web 5 (SockJS websocket)", "Vert.x");

    private static Row step(double deliveries, double p99, double rate) {
        return new Row("sockjs-ws " + rate + " msg/s", deliveries, "deliveries/s", 1, p99, p99, p99, 0, 50, 100,
                Map.of("rate", rate));
    }

    private static Row totals(long heapPerConn) {
        return new Row("totals", Double.NaN, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN,
                Map.of("clients", 10L, "lost", 0L, "heapPerConnBytes", heapPerConn));
    }

    private static Result result(Row... rows) {
        return new Result("fanout", "now", Map.of(), Map.of("loadAverageAtStart", "1", "loadAverageAtEnd", "2"),
                Map.of("command", "java …"), List.of(rows), List.of("a note"));
    }

    @Test
    void stepsArePairedWithTheReferenceAfterEachPairAndTotalsLast() {
        Result both = SOCKJS.combine(result(step(1000, 10, 1), step(5000, 20, 5), totals(3000)),
                result(step(500, 40, 1), totals(12000)),
                result(step(1000, 5, 1), step(5000, 8, 5), totals(2500)), "Halley (native ws, reference)");
        assertThat(both.rows()).extracting(Row::label).containsExactly(
                "Halley (SockJS websocket): sockjs-ws 1.0 msg/s", "Vert.x web 5 (SockJS websocket): sockjs-ws 1.0 msg/s",
                "Halley (native ws, reference): sockjs-ws 1.0 msg/s",
                "Halley (SockJS websocket): sockjs-ws 5.0 msg/s", "Halley (native ws, reference): sockjs-ws 5.0 msg/s",
                "Halley (SockJS websocket): totals", "Vert.x web 5 (SockJS websocket): totals", "Halley (native ws, reference): totals");
        assertThat(both.notes()).contains("Halley / Vert.x heap per connection: 0.25× (server heap after a full GC,"
                + " connected minus baseline, per client).");
        assertThat(both.notes()).anyMatch(n -> n.contains("the same protocol and the same client bytes"));
        assertThat(both.notes()).contains("Vert.x: a note", "Reference: a note");
        assertThat(both.server()).containsOnlyKeys("halley", "vert.x", "reference");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SOCKJS.table(both, new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("| **Halley / Vert.x** | 2.00× | 1.00× | 0.25× | 0.25× | | | | 1.00× | 1.00× |")
                .contains("| **Halley / Vert.x** | | | | | | | | | | 0.25× |");
        assertThat(table.indexOf("Vert.x web 5 (SockJS websocket): sockjs-ws 1.0 msg/s"))
                .isLessThan(table.indexOf("**Halley / Vert.x** | 2.00×"))
                .isLessThan(table.indexOf("Halley (native ws, reference): sockjs-ws 1.0 msg/s"));
    }

    @Test
    void differentProtocolsAreSaidToBe() {
        SideBySide nativeVsCometd = new SideBySide("longpoll-side-by-side", "Halley (native long-poll)",
                "CometD 9 (Bayeux long-poll)", "CometD");
        Result both = nativeVsCometd.combine(result(step(1000, 10, 1)), result(step(900, 20, 1)));
        assertThat(both.notes()).anyMatch(n -> n.contains("different protocols on the same workload"));
        assertThat(both.notes()).anyMatch(n -> n.startsWith("Halley / CometD: throughput 1.11×"));
    }
}
