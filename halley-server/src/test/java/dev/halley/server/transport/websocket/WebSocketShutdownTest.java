package dev.halley.server.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.WsClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(30)
class WebSocketShutdownTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SHUTDOWN_GRACE, "5s"));

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shutdownSendsAReconnectNoticeThenCloses1001AndTheCursorResumesElsewhere() throws Exception {
        String cursor;
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/down/a\",\"id\":1}");
            ws.nextJson();
            server.publish("/down/a", "1");
            assertThat(ws.nextJson().get("offset").asLong()).isEqualTo(1);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
            JsonNode notice = ws.nextJson();
            assertThat(notice.get("reconnect").asBoolean()).isTrue();
            assertThat(notice.get("reason").asText()).isEqualTo("shutdown");
            cursor = notice.get("cursor").asText();
            assertThat(ws.awaitClose()).isEqualTo(new WsClient.Closed(1001, "shutdown"));
            stopping.get(10, TimeUnit.SECONDS);
        }
        // "Elsewhere": a new server (new history); the cursor names an epoch it does not have, so it
        // reports the gap instead of silently skipping.
        server.start();
        server.publish("/down/a", "\"new\"");
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/down/a\",\"cursor\":\"" + cursor + "\",\"id\":2}");
            JsonNode reply = ws.nextJson();
            assertThat(reply.get("ok").asBoolean()).isTrue();
            assertThat(reply.get("recovered").asBoolean()).isFalse();
            assertThat(ws.next()).isEqualTo("{\"channel\":\"/down/a\",\"recovered\":false}");
            assertThat(ws.nextJson().get("data").asText()).isEqualTo("new");
        }
    }
}
