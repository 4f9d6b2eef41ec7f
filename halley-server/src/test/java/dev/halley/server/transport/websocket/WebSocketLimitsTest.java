package dev.halley.server.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.core.CloseReason;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.RawWebSocket;
import dev.halley.server.testing.WsClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class WebSocketLimitsTest {
    private static final String GOOD = "http://good.example";

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.PUBLISH_RATE, "2")
            .with(ConfigKey.CORS_ORIGINS, GOOD)
            .with(ConfigKey.UNWRITABLE_TIMEOUT, "2s"));

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void publishingOverTheRateIsRefusedWithTooMany() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            for (int i = 1; i <= 3; i++) {
                ws.send("{\"op\":\"publish\",\"channel\":\"/lim/rate\",\"data\":" + i + ",\"id\":" + i + "}");
            }
            assertThat(ws.nextJson().get("ok").asBoolean()).isTrue();
            assertThat(ws.nextJson().get("ok").asBoolean()).isTrue();
            JsonNode refused = ws.nextJson();
            assertThat(refused.get("id").asInt()).isEqualTo(3);
            assertThat(refused.get("error").asText()).isEqualTo("too_many");
            assertThat(ws.isClosed()).isFalse();
        }
    }

    @Test
    void goingOnOverTheRateClosesWith1008() throws Exception {
        long before = server.server().metrics().closeCount(CloseReason.TOO_MANY);
        try (WsClient ws = WsClient.connect(server)) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 2 + dev.halley.server.PublishRate.MAX_STRIKES; i++) {
                ws.send("{\"op\":\"publish\",\"channel\":\"/lim/abuse\",\"data\":" + i + "}");
            }
            assertThat(ws.awaitClose()).isEqualTo(new WsClient.Closed(1008, "too_many"));
            // Each refusal before the last was answered.
            while (ws.pending() > 0) {
                burst.append(ws.next());
            }
            assertThat(burst.toString()).contains("\"error\":\"too_many\"");
        }
        assertThat(server.server().metrics().closeCount(CloseReason.TOO_MANY)).isGreaterThan(before);
    }

    @Test
    void anOriginOutsideTheAllowListIsRefused() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/ws", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                    "Sec-WebSocket-Version: 13", "Origin: http://evil.example");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(403);
            assertThat(head.header("upgrade")).isNull();
            assertThat(JSON.readTree(raw.readBody(head)).get("error").asText()).isEqualTo("forbidden");
        }
        assertThatThrownBy(() -> WsClient.connect(server, Map.of("Origin", "http://evil.example")))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
    }

    @Test
    void anOriginOnTheAllowListIsUpgraded() throws Exception {
        try (WsClient ws = WsClient.connect(server, Map.of("Origin", GOOD))) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/lim/origin\",\"id\":1}");
            assertThat(ws.nextJson().get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void aSlowConsumerIsClosedAsSlowWhileAnotherGetsEverythingPromptly() throws Exception {
        long before = server.server().metrics().closeCount(CloseReason.SLOW);
        String channel = "/lim/slow";
        String payload = "\"" + "s".repeat(32 * 1024) + "\"";
        int batches = 32;
        int perBatch = 8; // 256 KiB a batch: 8 MiB in all, far over what the slow client's buffers hold
        try (RawWebSocket slow = RawWebSocket.connect(server.port(), Duration.ofSeconds(15), 8 * 1024);
             WsClient fast = WsClient.connect(server)) {
            slow.sendText("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1}");
            assertThat(slow.readFrame().text()).contains("\"ok\":true");
            fast.send("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1}");
            assertThat(fast.nextJson().get("ok").asBoolean()).isTrue();

            // The slow client reads nothing from here on. The fast one is given each batch once it
            // has the previous one (a client that keeps up), so only the slow one can fall behind.
            long t0 = System.nanoTime();
            long offset = 0;
            for (int b = 0; b < batches; b++) {
                StringBuilder body = new StringBuilder("{\"messages\":[");
                for (int i = 0; i < perBatch; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"channel\":\"").append(channel).append("\",\"data\":").append(payload).append('}');
                }
                assertThat(server.post("/api/publish", body.append("]}").toString()).statusCode()).isEqualTo(200);
                for (int i = 0; i < perBatch; i++) {
                    assertThat(JSON.readTree(fast.next(Duration.ofSeconds(5))).get("offset").asLong()).isEqualTo(++offset);
                }
            }
            long fastMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(fastMillis).as("the fast subscriber got 8 MiB in %d ms", fastMillis).isLessThan(10_000);

            await().atMost(Duration.ofSeconds(15)).until(() -> server.server().metrics().closeCount(CloseReason.SLOW) > before);
            // The slow client, reading at last, finds what was buffered, then the end of the connection.
            assertThat(slow.readToEnd()).isLessThan(8L * 1024 * 1024);
            assertThat(fast.isClosed()).isFalse();
            fast.send("{\"op\":\"unsubscribe\",\"channel\":\"" + channel + "\",\"id\":2}");
            assertThat(fast.nextJson().get("id").asInt()).isEqualTo(2);
        }
    }
}
