package dev.halley.server.alltransports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every native transport shares, one test body run over all of them against a
 * real server: order of 1,000 messages, resume after a disconnect with nothing lost or doubled,
 * an explicit gap signal, and publishes from every door reaching subscribers on every door.
 * Subclasses run it over the native epoll transport and over NIO.
 */
@Timeout(60)
abstract class AllTransportsContract {
    static final Duration WAIT = Duration.ofSeconds(15);

    abstract HalleyServerExtension server();

    @ParameterizedTest
    @EnumSource(Transport.class)
    void thousandMessagesArriveInOrder(Transport t) throws Exception {
        String channel = "/order/" + t.name().toLowerCase();
        try (TransportClient client = TransportClient.open(t, server().port(), channel, 0L)) {
            String batch = IntStream.rangeClosed(1, 1000)
                    .mapToObj(i -> "{\"channel\":\"" + channel + "\",\"data\":" + i + "}")
                    .collect(Collectors.joining(",", "{\"messages\":[", "]}"));
            assertThat(server().post("/api/publish", batch).statusCode()).isEqualTo(200);
            List<JsonNode> got = TransportClient.drain(client, 1000, WAIT);
            for (int i = 0; i < 1000; i++) {
                JsonNode m = got.get(i);
                assertThat(m.get("channel").asText()).isEqualTo(channel);
                assertThat(m.get("offset").asLong()).as("offset #" + i).isEqualTo(i + 1);
                assertThat(m.get("data").asInt()).isEqualTo(i + 1);
                assertThat(m.get("time").asLong()).isPositive();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void resumeAfterDisconnectLosesAndDoublesNothing(Transport t) throws Exception {
        String channel = "/resume/" + t.name().toLowerCase();
        try (TransportClient first = TransportClient.open(t, server().port(), channel, 0L)) {
            for (int i = 1; i <= 5; i++) {
                server().publish(channel, Integer.toString(i));
            }
            assertThat(offsets(TransportClient.drain(first, 5, WAIT))).containsExactly(1L, 2L, 3L, 4L, 5L);
        }
        for (int i = 6; i <= 9; i++) {
            server().publish(channel, Integer.toString(i));
        }
        try (TransportClient again = TransportClient.open(t, server().port(), channel, 5L)) {
            assertThat(offsets(TransportClient.drain(again, 4, WAIT))).containsExactly(6L, 7L, 8L, 9L);
            server().publish(channel, "10");
            JsonNode next = again.nextMessage(WAIT);
            assertThat(next.get("offset").asLong()).as("nothing doubled: the next message is the new one").isEqualTo(10);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aGapIsSignalledBeforeWhatHistoryStillHolds(Transport t) throws Exception {
        String channel = "/gap/" + t.name().toLowerCase();
        server().publish(channel, "1");
        server().publish(channel, "2");
        // The client claims offset 500, which this channel never had (e.g. history lost in a restart).
        try (TransportClient client = TransportClient.open(t, server().port(), channel, 500L)) {
            JsonNode notice = client.nextMessage(WAIT);
            assertThat(notice.get("channel").asText()).isEqualTo(channel);
            assertThat(notice.get("recovered").asBoolean()).isFalse();
            assertThat(offsets(TransportClient.drain(client, 2, WAIT))).containsExactly(1L, 2L);
        }
    }

    @Test
    void publishesFromEveryDoorReachSubscribersOnEveryDoor() throws Exception {
        String channel = "/everywhere";
        Map<Transport, TransportClient> clients = new EnumMap<>(Transport.class);
        try {
            for (Transport t : Transport.values()) {
                clients.put(t, TransportClient.open(t, server().port(), channel, 0L));
            }
            server().publish(channel, "\"api\"");
            assertThat(server().post("/publish", "{\"channel\":\"" + channel + "\",\"data\":\"client-http\"}").statusCode())
                    .isEqualTo(200);
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server().port() + "/ws"), new WebSocket.Listener() { })
                    .get(5, TimeUnit.SECONDS);
            ws.sendText("{\"op\":\"publish\",\"channel\":\"" + channel + "\",\"data\":\"websocket\"}", true).get(5, TimeUnit.SECONDS);
            for (Map.Entry<Transport, TransportClient> e : clients.entrySet()) {
                List<String> data = new ArrayList<>();
                for (JsonNode m : TransportClient.drain(e.getValue(), 3, WAIT)) {
                    data.add(m.get("data").asText());
                }
                assertThat(data).as(e.getKey().name()).containsExactly("api", "client-http", "websocket");
            }
            ws.abort();
        } finally {
            for (TransportClient c : clients.values()) {
                c.close();
            }
        }
    }

    static List<Long> offsets(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("offset").asLong()).toList();
    }
}
