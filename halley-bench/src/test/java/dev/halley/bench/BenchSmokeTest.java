package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each scenario for a second or two at small scale against an in-process server: asserts the
 * counts (every published message reached every subscriber once, no errors), never the speed.
 */
@Timeout(30)
class BenchSmokeTest {
    private static InProcessServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new InProcessServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Result run(String scenario, String... flags) throws Exception {
        String[] all = new String[flags.length + 1];
        all[0] = "--quiet";
        System.arraycopy(flags, 0, all, 1, flags.length);
        return BenchMain.run(scenario, Flags.of(all), server);
    }

    @ParameterizedTest
    @ValueSource(strings = {"longpoll", "jsonp"})
    void longPollEveryClientSeesEveryMessageOnce(String scenario) throws Exception {
        Result r = run(scenario, "--clients", "50", "--duration", "1s", "--warmup", "300ms", "--rate", "20");
        Row row = r.rows().get(0);
        assertThat(row.errors()).isZero();
        assertThat(row.throughput()).isPositive();
        assertThat(row.extra()).containsEntry("lost", 0L).containsEntry("duplicates", 0L)
                .containsEntry("incompleteClients", 0L);
        assertThat((Long) row.extra().get("published")).isGreaterThan(10);
        assertThat(r.notes()).noneMatch(n -> n.startsWith("drain"));
    }

    @Test
    void pollAnswersEveryRequest() throws Exception {
        Result r = run("poll", "--clients", "8", "--duration", "1s", "--wrk", "false");
        assertThat(r.rows()).hasSize(2).allSatisfy(row -> {
            assertThat(row.errors()).isZero();
            assertThat(row.throughput()).isPositive();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "sse", "stream", "iframe"})
    void fanoutDeliversEveryMessageToEverySubscriber(String transport) throws Exception {
        Result r = run(transport.equals("iframe") ? "iframe" : "fanout", "--transport", transport, "--clients", "50",
                "--singles", "2", "--rates", "20,50", "--step", "700ms", "--batches", "1,5");
        assertThat(r.rows()).anySatisfy(row -> assertThat(row.extra()).containsEntry("messagesPerPublish", 5));
        Row totals = r.rows().get(r.rows().size() - 1);
        assertThat(totals.label()).isEqualTo("totals");
        assertThat(totals.errors()).isZero();
        assertThat(totals.extra()).containsEntry("lost", 0L).containsEntry("duplicates", 0L).containsEntry("dropped", 0L);
        assertThat(totals.extra().get("delivered")).isEqualTo(totals.extra().get("expected"));
        // Counts, not speed: a loaded machine may publish fewer than the pacing asks for.
        assertThat((Long) totals.extra().get("published")).as("singles, then both batch sizes' steps").isGreaterThan(2 + 5);
        List<Row> singles = r.rows().subList(0, 2);
        assertThat(singles).allSatisfy(row -> assertThat(row.extra().get("fullDeliveryMs")).isNotEqualTo(Double.NaN));
    }

    @Test
    void idleHoldsEveryConnection() throws Exception {
        Result r = run("idle", "--clients", "50", "--transports", "ws,sse,stream,longpoll");
        assertThat(r.rows()).hasSize(4).allSatisfy(row -> {
            assertThat(row.errors()).isZero();
            assertThat(row.extra()).containsEntry("connections", 50L);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "sse", "stream"})
    void stormResumesWithNothingLost(String transport) throws Exception {
        Result r = run("storm", "--transport", transport, "--clients", "50", "--missed", "3");
        Row row = r.rows().get(0);
        assertThat(row.extra()).containsEntry("established", 50L).containsEntry("caughtUp", 50L)
                .containsEntry("lost", 0L).containsEntry("duplicates", 0L);
        assertThat(r.notes()).noneMatch(n -> n.startsWith("not every"));
    }
}
