package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Bayeux scenarios at small scale against both Bayeux servers the bench compares, each in
 * process: Halley's {@code /cometd} door and the CometD peer, with the same client. Asserts the
 * counts (every published message reached every client once, no errors), never the speed.
 */
@Timeout(60)
class BayeuxSmokeTest {
    @RegisterExtension
    static final BayeuxServers servers = new BayeuxServers();

    private static Result run(String scenario, BayeuxTarget target, String... flags) throws Exception {
        ServerUnderTest server = target == BayeuxTarget.HALLEY ? servers.halley() : servers.cometd();
        Flags f = Flags.of(flags).with("quiet", "true").with(BayeuxTarget.FLAG, target.toString());
        return BenchMain.run(scenario, f, server);
    }

    @ParameterizedTest
    @EnumSource(BayeuxTarget.class)
    void longPollEveryClientSeesEveryMessageOnce(BayeuxTarget target) throws Exception {
        Result r = run("longpoll-bayeux", target, "--clients", "20", "--duration", "2s", "--warmup", "300ms", "--rate", "20");
        Row row = r.rows().get(0);
        assertThat(row.errors()).isZero();
        assertThat(row.throughput()).isPositive();
        assertThat(row.extra()).containsEntry("lost", 0L).containsEntry("duplicates", 0L)
                .containsEntry("incompleteClients", 0L).containsEntry("publishErrors", 0L);
        long published = (Long) row.extra().get("published");
        assertThat(published).isGreaterThan(30);
        // Held connects: a /meta/connect answered without a message would show the server not holding it.
        assertThat((Long) row.extra().get("emptyPolls")).isLessThan(published * 20 / 10);
        assertThat(r.notes()).noneMatch(n -> n.startsWith("drain"));
        assertThat(r.notes().get(0)).contains("to " + target.serverName());
    }

    @ParameterizedTest
    @CsvSource({"HALLEY, ws", "HALLEY, longpoll", "COMETD, ws", "COMETD, longpoll"})
    void fanoutDeliversEveryMessageToEverySubscriberOnce(BayeuxTarget target, String transport) throws Exception {
        Result r = run("fanout-bayeux", target, "--transport", transport, "--clients", "20", "--singles", "2",
                "--rates", "20,50", "--step", "700ms", "--batches", "1,5",
                // Every step always runs: this test checks counts, and a loaded machine may pass any latency limit.
                "--p99-limit", "60000");
        List<Row> singles = r.rows().subList(0, 2);
        assertThat(singles).allSatisfy(row -> {
            assertThat(row.label()).isEqualTo("1 publish → 20");
            assertThat(row.extra().get("fullDeliveryMs")).isNotEqualTo(Double.NaN);
        });
        List<Row> steps = r.rows().subList(2, r.rows().size() - 1);
        assertThat(steps).hasSize(4).allSatisfy(row -> {
            assertThat(row.unit()).isEqualTo("deliveries/s");
            assertThat(row.errors()).isZero();
        });
        assertThat(steps).anySatisfy(row -> assertThat(row.extra()).containsEntry("messagesPerPublish", 5));
        Row totals = r.rows().get(r.rows().size() - 1);
        assertThat(totals.label()).isEqualTo("totals");
        assertThat(totals.errors()).isZero();
        assertThat(totals.extra()).containsEntry("clients", 20L).containsEntry("lost", 0L).containsEntry("duplicates", 0L)
                .containsEntry("dropped", 0L).containsEntry("incompleteClients", 0L).containsEntry("publishErrors", 0L);
        long published = (Long) totals.extra().get("published");
        // Counts, not speed: a loaded machine may publish fewer than the pacing asks for.
        assertThat(published).as("singles, then both batch sizes' steps").isGreaterThan(2 + 5);
        assertThat(totals.extra().get("expected")).isEqualTo(published * 20);
        assertThat(totals.extra().get("delivered")).isEqualTo(published * 20);
        assertThat(r.notes()).noneMatch(n -> n.startsWith("drain") || n.startsWith("only"));
    }
}
