package dev.halley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.testing.Engines;
import dev.halley.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Off-board ingestion straight into Redis, as a PHP or Python back end would do it: the command
 * documented in docs/clustering.md, run here with {@code redis-cli}, publishes into the same
 * sequence as the nodes' HTTP API, and subscribers on every node get it. Bad input is refused by
 * Redis with a clear error and reaches nobody.
 */
@Timeout(60)
class DirectIngestionTest {

    @Test
    void aBackEndPublishesStraightIntoRedisWithTheDocumentedCommand() throws Exception {
        Engines.requireRedis();
        Engines.requireCommand("redis-cli");
        try (ClusterNodes nodes = new ClusterNodes(Engines.REDIS, 2, c -> c);
                WsClient onB = WsClient.connect(nodes.port(1))) {
            onB.send("{\"op\":\"subscribe\",\"channel\":\"/direct\",\"id\":1}");
            assertThat(onB.nextJson().get("ok").asBoolean()).isTrue();
            String p = nodes.prefix();

            assertThat(nodes.publish(0, "/direct", "\"via http\"").body()).contains("\"offset\":1");
            List<String> reply = redisCli("FCALL", p + "_publish", "2", p + ":{/direct}:m", p + ":{/direct}:h",
                    "{\"text\":\"via redis\"}");
            assertThat(reply).hasSize(3);
            assertThat(reply.get(1)).isEqualTo("2");
            assertThat(nodes.publish(1, "/direct", "\"via http again\"").body()).contains("\"offset\":3");

            List<String> data = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                JsonNode m = onB.nextJson();
                assertThat(m.get("offset").asLong()).isEqualTo(i);
                data.add(m.get("data").toString());
            }
            assertThat(data).containsExactly("\"via http\"", "{\"text\":\"via redis\"}", "\"via http again\"");

            assertThat(String.join(" ", redisCli("FCALL", p + "_publish", "2", p + ":{/direct}:m", p + ":{/direct}:h", "{oops")))
                    .contains("ERR data must be one JSON value");
            assertThat(String.join(" ", redisCli("FCALL", p + "_publish", "2", p + ":{/direct}:m", p + ":{/other}:h", "1")))
                    .contains("ERR bad channel");
            assertThat(nodes.publish(0, "/direct", "4").body()).as("nothing was taken by the refused calls").contains("\"offset\":4");
        }
    }

    private static List<String> redisCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(Engines.REDIS_PORT)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out.lines().toList();
    }
}
