package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.bench.peer.CometdPeer;
import dev.halley.bench.peer.PeerFlags;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Bayeux long-polling client against an in-process CometD peer at small scale: asserts the
 * counts (every published message reached every client once, no errors), never the speed.
 */
@Timeout(30)
class BayeuxSmokeTest {
    private static CometdPeer peer;

    @BeforeAll
    static void start() throws Exception {
        peer = CometdPeer.start(PeerFlags.ephemeral());
    }

    @AfterAll
    static void stop() {
        peer.close();
    }

    @Test
    void bayeuxLongPollEveryClientSeesEveryMessageOnce() throws Exception {
        Result r = BenchMain.run("longpoll-bayeux", Flags.of("--quiet", "--clients", "20", "--duration", "2s",
                "--warmup", "300ms", "--rate", "20"), ServerUnderTest.remote(peer.address(), 0));
        Row row = r.rows().get(0);
        assertThat(row.errors()).isZero();
        assertThat(row.throughput()).isPositive();
        assertThat(row.extra()).containsEntry("lost", 0L).containsEntry("duplicates", 0L)
                .containsEntry("incompleteClients", 0L).containsEntry("publishErrors", 0L);
        long published = (Long) row.extra().get("published");
        assertThat(published).isGreaterThan(30);
        // Held connects: a /meta/connect answered without a message would show CometD not holding it.
        assertThat((Long) row.extra().get("emptyPolls")).isLessThan(published * 20 / 10);
        assertThat(r.notes()).noneMatch(n -> n.startsWith("drain"));
    }
}
