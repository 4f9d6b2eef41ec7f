package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --peer cometd}'s three-way table: the same step of every run together, the ratios after
 * it, steps only some runs reached, and the whole-run counts with heap per connection.
 */
class ComparisonTest {
    private final Comparison fanout = CometdComparison.of("fanout", Flags.of("--transport", "longpoll", "--clients", "20"));

    private static Row step(String label, double rate, double throughput, double p99) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("rate", rate);
        x.put("messagesPerPublish", 1);
        return new Row(label + " " + (long) rate + " msg/s", throughput, "deliveries/s", 1, p99, p99, p99, 0, 50, 100, x);
    }

    private static Row single(double throughput) {
        return new Row("1 publish → 20", throughput, "deliveries/s", 1, 2, 2, 2, 0, 10, 100, Map.of("fullDeliveryMs", 3.0));
    }

    private static Row totals(long heapPerConn) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("clients", 20L);
        x.put("published", 7L);
        x.put("lost", 0L);
        x.put("heapPerConnBytes", heapPerConn);
        return new Row("totals", Double.NaN, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, x);
    }

    private static Result result(String load, Row... rows) {
        return new Result("fanout", "now", Map.of(), Map.of("loadAverageAtStart", load, "loadAverageAtEnd", load),
                Map.of("command", "java " + load), List.of(rows), List.of("note " + load));
    }

    private Result threeRuns() {
        return fanout.combine(List.of(
                result("1", single(100), step("ws", 10, 200, 5), step("ws", 20, 400, 6), totals(3000)),
                result("2", single(50), step("bayeux-longpoll", 10, 100, 10), step("bayeux-longpoll", 20, 200, 12),
                        step("bayeux-longpoll", 50, 500, 20), totals(4000)),
                result("3", single(25), step("bayeux-longpoll", 10, 50, 40), totals(8000))));
    }

    @Test
    void theRunsAreNativeWebSocketThenBayeuxOnHalleyThenOnCometd() {
        assertThat(fanout.contenders()).extracting(Comparison.Contender::label).containsExactly(
                "Halley (native WebSocket)", "Halley (Bayeux long-polling)", "CometD 9 (Bayeux long-polling)");
        assertThat(fanout.contenders()).extracting(Comparison.Contender::scenario)
                .containsExactly("fanout", "fanout-bayeux", "fanout-bayeux");
        List<Flags> flags = fanout.contenders().stream().map(Comparison.Contender::flags).toList();
        assertThat(flags.get(0).string("transport", "")).as("native fan-out is over WebSocket").isEqualTo("ws");
        assertThat(BayeuxTarget.of(flags.get(1))).isEqualTo(BayeuxTarget.HALLEY);
        assertThat(BayeuxTarget.of(flags.get(2))).isEqualTo(BayeuxTarget.COMETD);
        assertThat(flags).allSatisfy(f -> assertThat(f.string("clients", "")).isEqualTo("20"));
        assertThat(flags.get(1).string("transport", "")).isEqualTo("longpoll");
    }

    @Test
    void eachStepListsEveryRunThatReachedItInOrder() {
        List<String> labels = threeRuns().rows().stream().map(Row::label).toList();
        assertThat(labels).containsExactly(
                "Halley (native WebSocket): 1 publish → 20", "Halley (Bayeux long-polling): 1 publish → 20",
                "CometD 9 (Bayeux long-polling): 1 publish → 20",
                "Halley (native WebSocket): ws 10 msg/s", "Halley (Bayeux long-polling): bayeux-longpoll 10 msg/s",
                "CometD 9 (Bayeux long-polling): bayeux-longpoll 10 msg/s",
                "Halley (native WebSocket): ws 20 msg/s", "Halley (Bayeux long-polling): bayeux-longpoll 20 msg/s",
                "Halley (Bayeux long-polling): bayeux-longpoll 50 msg/s",
                "Halley (native WebSocket): totals", "Halley (Bayeux long-polling): totals", "CometD 9 (Bayeux long-polling): totals");
    }

    @Test
    void ratiosFollowEachStepTheRunsShareWithTheSameProtocolFirst() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Result all = threeRuns();
        fanout.table(all, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("| ")).toList();
        List<String> ratioRows = new ArrayList<>(lines.stream().filter(l -> l.contains(" / CometD")).toList());
        // Two steps all three reached, each with both ratios; then the heap ratios of the whole-run table.
        assertThat(ratioRows).hasSize(6);
        assertThat(ratioRows.get(0)).startsWith("| **Halley Bayeux / CometD** | 2.00× | 1.00× | 1.00× |");
        assertThat(ratioRows.get(1)).startsWith("| Halley native / CometD | 4.00× | 1.00× | 1.00× |");
        assertThat(ratioRows.get(2)).startsWith("| **Halley Bayeux / CometD** | 2.00× | 1.00× | 0.25× |");
        assertThat(ratioRows.get(3)).startsWith("| Halley native / CometD | 4.00× | 1.00× | 0.13× |");
        assertThat(ratioRows.get(4)).endsWith("| 0.50× |");
        assertThat(ratioRows.get(5)).endsWith("| 0.38× |");
        int fifty = lines.indexOf(lines.stream().filter(l -> l.contains("50 msg/s")).findFirst().orElseThrow());
        assertThat(lines.get(fifty + 1)).as("no ratio for a step CometD did not reach").doesNotContain(" / ");
        assertThat(all.notes()).contains("Halley Bayeux / CometD heap per connection: 0.50× (server heap after a full GC,"
                + " connected minus baseline, per client).");
        assertThat(all.notes()).anyMatch(n -> n.startsWith("Load average") && n.contains("CometD 9 (Bayeux long-polling) 3 → 3"));
        assertThat(all.notes()).contains("CometD 9 (Bayeux long-polling): note 3");
        assertThat(all.server()).containsOnlyKeys("halley", "halley-bayeux", "cometd");
    }

    @Test
    void bayeuxRunsOnlyOverWebSocketAndLongPolling() {
        assertThatThrownBy(() -> CometdComparison.of("chat", Flags.of("--transport", "sse")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws or longpoll");
        assertThatThrownBy(() -> CometdComparison.of("longpoll", Flags.of("--transport", "ws")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("long-polling only");
        assertThat(CometdComparison.of("chat", Flags.of("--transport", "longpoll")).contenders().get(0).label())
                .isEqualTo("Halley (native long-poll)");
    }
}
