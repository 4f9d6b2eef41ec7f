package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --repeat N} quotes medians of the runs, never the best one, and says when a step was reached by only some. */
class MediansTest {

    private static Row row(String label, double throughput, double p99, long errors) {
        return new Row(label, throughput, "cycles/s", 1, p99, p99, p99, errors, 50, 100, Map.of("t", throughput));
    }

    private static Result result(Row... rows) {
        return new Result("longpoll", "now", Map.of(), Map.of(), Map.of(), List.of(rows), List.of("note"));
    }

    @Test
    void eachFigureIsTheMedianOfItsRowAcrossRuns() {
        Result m = Medians.of(List.of(
                result(row("a", 100, 30, 0), row("a", 10, 3, 0)),
                result(row("a", 300, 10, 2), row("a", 30, 1, 0)),
                result(row("a", 200, 20, 1), row("a", 20, 2, 0))));
        assertThat(m.rows()).hasSize(2);
        Row first = m.rows().get(0);
        assertThat(first.throughput()).isEqualTo(200);
        assertThat(first.p99Ms()).isEqualTo(20);
        assertThat(first.errors()).as("errors are the worst run's").isEqualTo(2);
        assertThat(first.extra()).containsEntry("t", 200.0).containsEntry("runs", 3);
        assertThat(m.rows().get(1).throughput()).as("a repeated label is matched by its place").isEqualTo(20);
        assertThat(m.notes().get(0)).startsWith("median of 3 runs");
    }

    @Test
    void aStepOnlySomeRunsReachedSaysSo() {
        Result m = Medians.of(List.of(
                result(row("1/s", 10, 1, 0), row("2/s", 20, 2, 0)),
                result(row("1/s", 12, 1, 0))));
        assertThat(m.rows().get(0).throughput()).isEqualTo(11);
        assertThat(m.rows().get(1).extra()).containsEntry("runs", "1 of 2");
    }

    @Test
    void oneRunIsReturnedAsItIs() {
        Result one = result(row("a", 1, 1, 0));
        assertThat(Medians.of(List.of(one))).isSameAs(one);
    }
}
