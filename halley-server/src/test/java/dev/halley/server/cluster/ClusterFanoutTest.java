package dev.halley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three nodes over each shared engine (Redis, NATS): what one publish on node A looks like to
 * subscribers on B and C, and a subscriber that moves between nodes while messages keep coming.
 */
@Timeout(90)
class ClusterFanoutTest {
    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");

    @ParameterizedTest
    @EnumSource(Engine.class)
    void publishedOnAReachesSubscribersOnBAndCInOrder(Engine engine) throws Exception {
        engine.require();
        try (ClusterNodes nodes = new ClusterNodes(engine.uri(), 3, c -> c);
                WsClient onB = WsClient.connect(nodes.port(1));
                RawHttp onC = new RawHttp(nodes.port(2), Duration.ofSeconds(15))) {
            onB.send("{\"op\":\"subscribe\",\"channel\":\"/fan\",\"id\":1}");
            assertThat(onB.nextJson().get("ok").asBoolean()).isTrue();
            onC.get("/sse?channel=/fan");
            assertThat(onC.readHead().status()).isEqualTo(200);
            onC.readChunksUntil("id: ");

            for (int i = 1; i <= 100; i++) {
                assertThat(nodes.publish(0, "/fan", Integer.toString(i)).statusCode()).isEqualTo(200);
            }
            List<Long> wsOffsets = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                JsonNode m = onB.nextJson();
                assertThat(m.get("data").asInt()).isEqualTo(i);
                wsOffsets.add(m.get("offset").asLong());
            }
            assertThat(wsOffsets).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
            List<Long> sseOffsets = new ArrayList<>();
            Matcher m = OFFSET.matcher(onC.readChunksUntil("\"offset\":100,"));
            while (m.find()) {
                sseOffsets.add(Long.parseLong(m.group(1)));
            }
            assertThat(sseOffsets).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aSubscriberMovingBetweenNodesMidStreamLosesAndDoublesNothing(Engine engine) throws Exception {
        engine.require();
        int total = 150;
        try (ClusterNodes nodes = new ClusterNodes(engine.uri(), 3, c -> c)) {
            CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
                for (int i = 1; i <= total; i++) {
                    try {
                        assertThat(nodes.publish(2, "/move", Integer.toString(i)).statusCode()).isEqualTo(200);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            LongPollClient client = new LongPollClient("/move", 0);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int poll = 0; client.lastOffset() < total && System.nanoTime() < deadline; poll++) {
                assertThat(client.poll(nodes.port(poll % 2))).isEqualTo(200); // A, B, A, B, …
            }
            publishing.join();
            assertThat(client.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(client.gaps).isEmpty();
        }
    }
}
