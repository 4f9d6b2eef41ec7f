package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bayeux's {@code websocket} transport by hand: frames are arrays of messages both ways, messages
 * stream as they come while the connect is held, a frame that is JSON but not Bayeux gets an
 * unsuccessful reply and the connection stays, and a session made on a WebSocket without the
 * browser cookie cannot be borrowed over HTTP.
 */
@Timeout(30)
class BayeuxWebSocketTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.LONGPOLL_TIMEOUT, "1s"));

    private static String handshake(WsClient ws) throws Exception {
        ws.send("[{\"id\":\"1\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\",\"supportedConnectionTypes\":[\"websocket\",\"long-polling\"]}]");
        JsonNode reply = ws.nextJson().get(0);
        assertThat(reply.get("successful").asBoolean()).isTrue();
        assertThat(reply.get("supportedConnectionTypes").get(0).asText()).isEqualTo("websocket");
        return reply.get("clientId").asText();
    }

    @Test
    void messagesStreamWhileTheConnectIsHeldAndItsAnswerComesAtTheTimeout() throws Exception {
        try (WsClient ws = WsClient.connect(server, "/cometd", Map.of())) {
            String id = handshake(ws);
            ws.send("[{\"id\":\"2\",\"channel\":\"/meta/subscribe\",\"subscription\":\"/ws/stream\",\"clientId\":\"" + id + "\"},"
                    + "{\"id\":\"3\",\"channel\":\"/meta/connect\",\"connectionType\":\"websocket\",\"advice\":{\"timeout\":0},\"clientId\":\"" + id + "\"}]");
            JsonNode first = ws.nextJson();
            assertThat(first.get(0).get("channel").asText()).isEqualTo("/meta/subscribe");
            assertThat(first.get(1).get("channel").asText()).isEqualTo("/meta/connect");
            ws.send("[{\"id\":\"4\",\"channel\":\"/meta/connect\",\"connectionType\":\"websocket\",\"clientId\":\"" + id + "\"}]");
            server.publish("/ws/stream", "\"live\"");
            // Held, the connect lets the message stream at once in a frame of its own and is answered
            // at its timeout; when the publish wins the race with the connect, the connect is answered
            // at once, the message in the same frame before it. Either way the message comes first.
            List<JsonNode> seen = new ArrayList<>();
            while (seen.stream().noneMatch(m -> m.path("channel").asText().equals("/meta/connect"))) {
                ws.nextJson().forEach(seen::add);
            }
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0).get("data").asText()).as("delivered before the connect's answer").isEqualTo("live");
            assertThat(seen.get(1).get("channel").asText()).isEqualTo("/meta/connect");
            assertThat(seen.get(1).get("id").asText()).isEqualTo("4");
        }
    }

    @Test
    void aFrameThatIsNotBayeuxIsAnsweredAndTheConnectionStays() throws Exception {
        try (WsClient ws = WsClient.connect(server, "/cometd/anything", Map.of())) {
            ws.send("{\"no\":");
            assertThat(ws.nextJson().get(0).get("error").asText()).isEqualTo("400::message_invalid");
            ws.send("[]");
            assertThat(ws.nextJson().get(0).get("error").asText()).isEqualTo("400::message_invalid");
            handshake(ws);
            assertThat(ws.isClosed()).isFalse();
        }
    }

    @Test
    void aWebSocketSessionCannotBeBorrowedOverHttp() throws Exception {
        try (WsClient ws = WsClient.connect(server, "/cometd", Map.of())) {
            String id = handshake(ws);
            RawBayeux http = new RawBayeux(server);
            assertThat(http.connect(id, 0, null).on("/meta/connect").get("error").asText()).isEqualTo("402::session_unknown");
            http.handshake(); // now with a cookie of its own
            assertThat(http.connect(id, 0, null).on("/meta/connect").get("error").asText()).isEqualTo("402::session_unknown");
            ws.send("[{\"id\":\"5\",\"channel\":\"/meta/connect\",\"connectionType\":\"websocket\",\"advice\":{\"timeout\":0},\"clientId\":\"" + id + "\"}]");
            assertThat(ws.nextJson().get(0).get("successful").asBoolean()).as("the session lives").isTrue();
        }
    }

    @Test
    void aWebSocketSessionOutlivesItsConnection() throws Exception {
        String id;
        String cookie = "BAYEUX_BROWSER=wsBrowser0123456789abc";
        try (WsClient ws = WsClient.connect(server, "/cometd", Map.of("Cookie", cookie))) {
            id = handshake(ws);
            ws.send("[{\"channel\":\"/meta/subscribe\",\"subscription\":\"/ws/outlive\",\"clientId\":\"" + id + "\"}]");
            ws.nextJson();
        }
        server.publish("/ws/outlive", "\"while away\"");
        try (WsClient ws = WsClient.connect(server, "/cometd", Map.of("Cookie", cookie))) {
            ws.send("[{\"channel\":\"/meta/connect\",\"connectionType\":\"websocket\",\"advice\":{\"timeout\":0},\"clientId\":\"" + id + "\"}]");
            JsonNode answer = ws.nextJson();
            assertThat(answer.get(0).get("data").asText()).isEqualTo("while away");
            assertThat(answer.get(1).get("successful").asBoolean()).isTrue();
        }
    }
}
