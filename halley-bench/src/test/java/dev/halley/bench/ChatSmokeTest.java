package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code chat} at tiny scale (40 clients, 10 rooms, 3 each) against an in-process Halley over
 * WebSocket and long-polling, natively and over Bayeux, and against an in-process CometD peer over
 * Bayeux on both: asserts
 * the counts (every client got every message of each of its rooms once), never the speed.
 */
@Timeout(60)
class ChatSmokeTest {
    @RegisterExtension
    static final BayeuxServers servers = new BayeuxServers();

    private static Result run(String scenario, ServerUnderTest server, String transport) throws Exception {
        return BenchMain.run(scenario, chatFlags(transport), server);
    }

    private static Flags chatFlags(String transport) {
        return Flags.of("--quiet", "--transport", transport, "--clients", "40", "--rooms", "10",
                "--rooms-per-client", "3", "--rates", "20,50", "--step", "1s", "--warmup", "300ms",
                // Both steps always run: this test checks counts, and a loaded machine may pass any latency limit.
                "--p99-limit", "60000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "longpoll", "sse"})
    void halleyEveryMemberGetsEveryMessageOfItsRoomsOnce(String transport) throws Exception {
        assertEveryMessageOnce(run("chat", servers.halley(), transport), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "longpoll"})
    void cometdEveryMemberGetsEveryMessageOfItsRoomsOnce(String transport) throws Exception {
        assertEveryMessageOnce(run("chat-bayeux", servers.cometd(), transport), true);
    }

    /** Halley's own {@code /cometd}, with the client and scenario CometD gets (published to through {@code /api/publish}). */
    @ParameterizedTest
    @ValueSource(strings = {"ws", "longpoll"})
    void halleyBayeuxEveryMemberGetsEveryMessageOfItsRoomsOnce(String transport) throws Exception {
        Flags flags = chatFlags(transport).with(BayeuxTarget.FLAG, BayeuxTarget.HALLEY.toString());
        assertEveryMessageOnce(BenchMain.run("chat-bayeux", flags, servers.halley()), true);
    }

    private static void assertEveryMessageOnce(Result r, boolean mayReorder) {
        List<Row> steps = r.rows().subList(0, r.rows().size() - 1);
        Row totals = r.rows().get(r.rows().size() - 1);
        assertThat(steps).hasSize(2).allSatisfy(row -> {
            assertThat(row.unit()).isEqualTo("deliveries/s");
            assertThat(row.throughput()).isPositive();
            assertThat(row.errors()).isZero();
        });
        assertThat(totals.label()).isEqualTo("totals");
        assertThat(totals.errors()).isZero();
        assertThat(totals.extra()).containsEntry("clients", 40L).containsEntry("lost", 0L).containsEntry("duplicates", 0L)
                .containsEntry("dropped", 0L).containsEntry("incompleteClients", 0L).containsEntry("publishErrors", 0L);
        if (!mayReorder) {
            assertThat(totals.extra()).containsEntry("reordered", 0L);
        }
        // 40 clients × 3 rooms over 10 rooms: 12 members a room, so each message is 12 deliveries.
        long published = (Long) totals.extra().get("published");
        assertThat(published).isGreaterThan(30);
        assertThat(totals.extra().get("expected")).isEqualTo(published * 12);
        assertThat(totals.extra().get("delivered")).isEqualTo(published * 12);
        assertThat(r.notes()).noneMatch(n -> n.startsWith("drain") || n.startsWith("only"));
    }
}
