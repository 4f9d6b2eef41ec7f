package dev.halley.server.alltransports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.WsClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The in-memory broker loses history on restart and every channel comes back in a new epoch
 * with offsets from 1: a client resuming across the restart must be told of the gap, on the
 * WebSocket (since + the epoch from the subscribe reply) as on cursor-based transports, and a
 * gap notice, once delivered, must not come back on the next reconnect.
 */
@Timeout(30)
class ResumeAcrossRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    @Test
    void webSocketSinceWithTheRepliedEpochDetectsARestart() throws Exception {
        String epoch;
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/restart/ws\",\"id\":1}");
            epoch = JSON.readTree(ws.next()).get("epoch").asText();
            for (int i = 1; i <= 5; i++) {
                server.publish("/restart/ws", Integer.toString(i));
            }
            for (int i = 1; i <= 5; i++) {
                assertThat(ws.nextJson().get("offset").asLong()).isEqualTo(i);
            }
        }
        server.stop();
        server.start();
        for (int i = 1; i <= 7; i++) {
            server.publish("/restart/ws", "\"new-" + i + "\"");
        }
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/restart/ws\",\"since\":5,\"epoch\":\"" + epoch + "\",\"id\":1}");
            JsonNode reply = JSON.readTree(ws.next());
            assertThat(reply.get("recovered").asBoolean()).isFalse();
            assertThat(reply.get("epoch").asText()).isNotEqualTo(epoch);
            assertThat(ws.next()).isEqualTo("{\"channel\":\"/restart/ws\",\"recovered\":false}");
            for (int i = 1; i <= 7; i++) {
                JsonNode m = ws.nextJson();
                assertThat(m.get("offset").asLong()).isEqualTo(i);
                assertThat(m.get("data").asText()).isEqualTo("new-" + i);
            }
        }
    }

    @Test
    void anSseGapNoticeOnceDeliveredIsNotReportedAgain() throws Exception {
        String lastEventId;
        try (RawHttp raw = new RawHttp(server.port())) {
            // A channel that never had offset 500: a gap, and history holds nothing to replay.
            raw.get("/sse?channel=/restart/sse&since=500");
            assertThat(raw.readHead().status()).isEqualTo(200);
            StringBuilder events = new StringBuilder(raw.readChunksUntil("event: gap"));
            // The batch that carried the notice ends with an id-only event: the resume point past it.
            while (!events.substring(events.indexOf("event: gap")).matches("(?s).*\nid: [^\n]+\n\n")) {
                events.append(new String(raw.readChunk(), StandardCharsets.UTF_8));
            }
            lastEventId = lastId(events.toString());
        }
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/sse?channel=/restart/sse", "Last-Event-ID: " + lastEventId);
            assertThat(raw.readHead().status()).isEqualTo(200);
            server.publish("/restart/sse", "\"after\"");
            String events = raw.readChunksUntil("\"after\"");
            assertThat(events).doesNotContain("event: gap");
            assertThat(events).contains("\"offset\":1,\"data\":\"after\"");
        }
    }

    private static String lastId(String events) {
        List<String> ids = new ArrayList<>();
        for (String line : events.split("\n")) {
            if (line.startsWith("id: ")) {
                ids.add(line.substring(4));
            }
        }
        assertThat(ids).isNotEmpty();
        String id = ids.get(ids.size() - 1);
        assertThat(new String(java.util.Base64.getUrlDecoder().decode(id), StandardCharsets.US_ASCII))
                .as("the resume point is past the gap, not 'gap pending'").doesNotContain(Long.toString(Long.MAX_VALUE));
        return id;
    }
}
