package dev.halley.server.alltransports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.cluster.ClusterNodes;
import dev.halley.server.cluster.Engine;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No sticky sessions for the native protocol: three nodes over the shared Redis, and on every
 * transport a client that followed a channel on node A carries on from its cursor (WebSocket:
 * its offset) on node B, while a third node publishes: nothing lost, nothing twice, no gap.
 */
@Timeout(60)
class AcrossNodesTest {
    private static ClusterNodes nodes;

    @BeforeAll
    static void cluster() throws Exception {
        Engine.REDIS.require();
        nodes = new ClusterNodes(Engine.REDIS.uri(), 3, c -> c);
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aClientMovesToAnotherNodeMidStream(Transport t) throws Exception {
        String channel = "/across/" + t.name().toLowerCase();
        TransportClient onB;
        try (TransportClient onA = TransportClient.open(t, nodes.port(0), channel, 0L)) {
            for (int i = 1; i <= 5; i++) {
                assertThat(nodes.publish(2, channel, Integer.toString(i)).statusCode()).isEqualTo(200);
            }
            assertThat(offsets(TransportClient.drain(onA, 5, AllTransportsContract.WAIT))).containsExactly(1L, 2L, 3L, 4L, 5L);
            onB = TransportClient.moveTo(t, onA, nodes.port(1));
        }
        try (onB) {
            for (int i = 6; i <= 10; i++) {
                assertThat(nodes.publish(0, channel, Integer.toString(i)).statusCode()).isEqualTo(200);
            }
            List<JsonNode> rest = TransportClient.drain(onB, 5, AllTransportsContract.WAIT);
            assertThat(rest).noneMatch(n -> n.has("recovered"));
            assertThat(offsets(rest)).containsExactly(6L, 7L, 8L, 9L, 10L);
            assertThat(rest).extracting(n -> n.get("data").asInt()).containsExactly(6, 7, 8, 9, 10);
        }
    }

    private static List<Long> offsets(List<JsonNode> messages) {
        return messages.stream().map(n -> n.path("offset").asLong(-1)).toList();
    }
}
