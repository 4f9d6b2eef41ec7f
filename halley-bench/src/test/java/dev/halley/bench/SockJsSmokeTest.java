package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.bench.peer.PeerFlags;
import dev.halley.bench.peer.VertxSockJsPeer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code fanout} over SockJS at small scale, against Halley's {@code channels} service
 * ({@code fanout --transport sockjs-…}) and against the Vert.x peer ({@code fanout-vertx}), the
 * two halves of {@code fanout --peer vertx}: asserts the counts (every published message reached
 * every session once, nobody dropped, no errors), never the speed.
 */
@Timeout(60)
class SockJsSmokeTest {
    private static InProcessServer halley;
    private static VertxSockJsPeer vertx;

    @BeforeAll
    static void start() throws Exception {
        halley = new InProcessServer();
        vertx = VertxSockJsPeer.start(PeerFlags.ephemeral().with("event-loops", "2"));
    }

    @AfterAll
    static void stop() {
        vertx.close();
        halley.close();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @CsvSource({"halley, sockjs-ws", "halley, sockjs-xhr-streaming", "vertx, sockjs-ws", "vertx, sockjs-xhr-streaming"})
    void fanoutDeliversEveryMessageToEverySessionOnce(String server, String transport) throws Exception {
        Flags flags = Flags.of("--quiet", "--transport", transport, "--clients", "20", "--singles", "2",
                "--rates", "50", "--step", "500ms", "--batches", "1,5");
        Result r = server.equals("halley") ? BenchMain.run("fanout", flags, halley)
                : BenchMain.run("fanout-vertx", flags, ServerUnderTest.remote(vertx.address(), 0));
        Row totals = r.rows().get(r.rows().size() - 1);
        assertThat(totals.label()).isEqualTo("totals");
        assertThat(totals.errors()).isZero();
        assertThat(totals.extra()).containsEntry("clients", 20L).containsEntry("lost", 0L).containsEntry("duplicates", 0L)
                .containsEntry("dropped", 0L);
        assertThat(totals.extra().get("delivered")).isEqualTo(totals.extra().get("expected"));
        // Counts, not speed: a loaded machine may publish fewer than the pacing asks for.
        assertThat((Long) totals.extra().get("published")).as("the singles, then a step of each batch size").isGreaterThan(2 + 5);
        assertThat(r.rows()).anySatisfy(row -> assertThat(row.extra()).containsEntry("messagesPerPublish", 5));
        List<Row> singles = r.rows().subList(0, 2);
        assertThat(singles).allSatisfy(row -> {
            assertThat(row.label()).isEqualTo("1 publish → 20");
            assertThat(row.extra().get("fullDeliveryMs")).isNotEqualTo(Double.NaN);
        });
        assertThat(r.rows()).anySatisfy(row -> assertThat(row.label()).isEqualTo(transport + " 50 msg/s"));
    }
}
