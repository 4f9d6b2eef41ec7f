package dev.halley.server.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.core.CloseReason;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawWebSocket;
import dev.halley.server.testing.WsClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class WebSocketTransportTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.HISTORY_SIZE, "10"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIME = Pattern.compile("\"time\":(\\d+)}$");

    // ---- frames, replies, acks -------------------------------------------------------------

    @Test
    void subscribeReplyThenMessagesAsExactFrames() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            ws.sendText("{\"op\":\"subscribe\",\"channel\":\"/ws/exact\",\"id\":1}");
            RawWebSocket.Frame reply = ws.readFrame();
            assertThat(reply.fin()).isTrue();
            assertThat(reply.opcode()).isEqualTo(RawWebSocket.TEXT);
            String cursor = JSON.readTree(reply.text()).get("cursor").asText();
            String epoch = JSON.readTree(reply.text()).get("epoch").asText();
            assertThat(epoch).matches("[0-9A-Za-z]{10}");
            assertThat(reply.text()).isEqualTo("{\"id\":1,\"ok\":true,\"channel\":\"/ws/exact\",\"recovered\":true,\"epoch\":\""
                    + epoch + "\",\"cursor\":\"" + cursor + "\"}");

            server.publish("/ws/exact", "{\"n\":1,\"s\":\"é\"}");
            RawWebSocket.Frame message = ws.readFrame();
            assertThat(message.fin()).isTrue();
            assertThat(message.opcode()).isEqualTo(RawWebSocket.TEXT);
            assertThat(message.text()).isEqualTo("{\"channel\":\"/ws/exact\",\"offset\":1,\"data\":{\"n\":1,\"s\":\"é\"},\"time\":"
                    + time(message.text()) + "}");
        }
    }

    @Test
    void publishIsAckedWithItsOffsetAndReachesPollAndOtherSockets() throws Exception {
        try (WsClient sub = WsClient.connect(server); WsClient pub = WsClient.connect(server)) {
            sub.send("{\"op\":\"subscribe\",\"channel\":\"/ws/pub\",\"id\":\"s\"}");
            assertThat(sub.nextJson().get("ok").asBoolean()).isTrue();

            pub.send("{\"op\":\"publish\",\"channel\":\"/ws/pub\",\"data\":{\"x\":1},\"id\":\"p1\"}");
            assertThat(pub.next()).isEqualTo("{\"id\":\"p1\",\"ok\":true,\"channel\":\"/ws/pub\",\"offset\":1}");
            pub.send("{\"op\":\"publish\",\"channel\":\"/ws/pub\",\"data\":[2],\"id\":7}");
            assertThat(pub.next()).isEqualTo("{\"id\":7,\"ok\":true,\"channel\":\"/ws/pub\",\"offset\":2}");

            String first = sub.next();
            assertThat(first).isEqualTo("{\"channel\":\"/ws/pub\",\"offset\":1,\"data\":{\"x\":1},\"time\":" + time(first) + "}");
            assertThat(JSON.readTree(sub.next()).get("data").get(0).asInt()).isEqualTo(2);

            HttpResponse<String> poll = server.get("/poll?channel=/ws/pub&since=0");
            JsonNode messages = JSON.readTree(poll.body()).get("messages");
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0).get("data").get("x").asInt()).isEqualTo(1);
        }
    }

    @Test
    void publishWithoutIdIsNotAckedButDelivered() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/noid\",\"id\":1}");
            ws.nextJson();
            ws.send("{\"op\":\"publish\",\"channel\":\"/ws/noid\",\"data\":\"quiet\"}");
            JsonNode next = ws.nextJson();
            assertThat(next.has("ok")).isFalse();
            assertThat(next.get("data").asText()).isEqualTo("quiet");
        }
    }

    @Test
    void unsubscribeIsAckedAndNothingOfTheChannelFollows() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/unsub/a\",\"id\":1}");
            ws.nextJson();
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/unsub/b\",\"id\":2}");
            ws.nextJson();
            server.publish("/ws/unsub/a", "1");
            assertThat(ws.nextJson().get("channel").asText()).isEqualTo("/ws/unsub/a");

            ws.send("{\"op\":\"unsubscribe\",\"channel\":\"/ws/unsub/a\",\"id\":3}");
            assertThat(ws.next()).isEqualTo("{\"id\":3,\"ok\":true,\"channel\":\"/ws/unsub/a\"}");
            server.publish("/ws/unsub/a", "2");
            server.publish("/ws/unsub/b", "3");
            // /ws/unsub/a was published first: had it been delivered, it would come first.
            JsonNode next = ws.nextJson();
            assertThat(next.get("channel").asText()).isEqualTo("/ws/unsub/b");
            assertThat(next.get("data").asInt()).isEqualTo(3);
        }
    }

    @Test
    void apiPublishesArriveOneThousandInOrder() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/many\",\"id\":1}");
            ws.nextJson();
            for (int batch = 0; batch < 10; batch++) {
                StringBuilder body = new StringBuilder("{\"messages\":[");
                for (int i = 0; i < 100; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"channel\":\"/ws/many\",\"data\":").append(batch * 100 + i + 1).append('}');
                }
                assertThat(server.post("/api/publish", body.append("]}").toString()).statusCode()).isEqualTo(200);
            }
            for (int n = 1; n <= 1000; n++) {
                JsonNode m = ws.nextJson();
                assertThat(m.get("offset").asLong()).isEqualTo(n);
                assertThat(m.get("data").asInt()).isEqualTo(n);
            }
        }
    }

    // ---- resume ------------------------------------------------------------------------------

    @Test
    void resumeWithSinceGetsExactlyTheMissedMessages() throws Exception {
        try (WsClient first = WsClient.connect(server)) {
            first.send("{\"op\":\"subscribe\",\"channel\":\"/ws/resume\",\"id\":1}");
            first.nextJson();
            for (int i = 1; i <= 3; i++) {
                server.publish("/ws/resume", Integer.toString(i));
            }
            for (int i = 1; i <= 3; i++) {
                assertThat(first.nextJson().get("offset").asLong()).isEqualTo(i);
            }
        }
        for (int i = 4; i <= 6; i++) {
            server.publish("/ws/resume", Integer.toString(i));
        }
        try (WsClient again = WsClient.connect(server)) {
            again.send("{\"op\":\"subscribe\",\"channel\":\"/ws/resume\",\"since\":3,\"id\":2}");
            JsonNode reply = again.nextJson();
            assertThat(reply.get("id").asInt()).isEqualTo(2);
            assertThat(reply.get("recovered").asBoolean()).isTrue();
            assertThat(reply.has("gaps")).isFalse();
            for (int i = 4; i <= 6; i++) {
                assertThat(again.nextJson().get("offset").asLong()).isEqualTo(i);
            }
            server.publish("/ws/resume", "7");
            assertThat(again.nextJson().get("offset").asLong()).isEqualTo(7);
        }
    }

    @Test
    void resumeWithTheCursorOfTheSubscribeReply() throws Exception {
        String cursor;
        try (WsClient first = WsClient.connect(server)) {
            server.publish("/ws/cursor", "\"before\"");
            first.send("{\"op\":\"subscribe\",\"channel\":\"/ws/cursor\",\"id\":1}");
            cursor = first.nextJson().get("cursor").asText();
        }
        server.publish("/ws/cursor", "\"missed-1\"");
        server.publish("/ws/cursor", "\"missed-2\"");
        try (WsClient again = WsClient.connect(server)) {
            again.send("{\"op\":\"subscribe\",\"channel\":\"/ws/cursor\",\"cursor\":\"" + cursor + "\",\"id\":1}");
            assertThat(again.nextJson().get("recovered").asBoolean()).isTrue();
            assertThat(again.nextJson().get("data").asText()).isEqualTo("missed-1");
            assertThat(again.nextJson().get("data").asText()).isEqualTo("missed-2");
            server.publish("/ws/cursor", "\"live\"");
            assertThat(again.nextJson().get("data").asText()).isEqualTo("live");
        }
    }

    @Test
    void gapNoticeComesBeforeTheReplayWhenHistoryDoesNotReachBack() throws Exception {
        for (int i = 1; i <= 25; i++) {
            server.publish("/ws/gap", Integer.toString(i));
        }
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/gap\",\"since\":2,\"id\":1}");
            String reply = ws.next();
            String cursor = JSON.readTree(reply).get("cursor").asText();
            String epoch = JSON.readTree(reply).get("epoch").asText();
            assertThat(reply).isEqualTo("{\"id\":1,\"ok\":true,\"channel\":\"/ws/gap\",\"recovered\":false,\"gaps\":[\"/ws/gap\"],\"epoch\":\""
                    + epoch + "\",\"cursor\":\"" + cursor + "\"}");
            assertThat(ws.next()).isEqualTo("{\"channel\":\"/ws/gap\",\"recovered\":false}");
            for (int offset = 16; offset <= 25; offset++) {
                assertThat(ws.nextJson().get("offset").asLong()).isEqualTo(offset);
            }
            server.publish("/ws/gap", "26");
            assertThat(ws.nextJson().get("offset").asLong()).isEqualTo(26);
        }
    }

    // ---- errors that keep the connection -----------------------------------------------------

    @Test
    void malformedJsonGetsBadJsonAndTheConnectionStillWorks() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",");
            JsonNode error = ws.nextJson();
            assertThat(error.get("error").asText()).isEqualTo("bad_json");
            assertThat(error.has("id")).isFalse();
            assertThat(error.get("message").asText()).isNotEmpty();
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/after-bad\",\"id\":2}");
            assertThat(ws.nextJson().get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void reservedChannelsAreForbidden() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"publish\",\"channel\":\"/meta/x\",\"data\":1,\"id\":5}");
            String reply = ws.next();
            assertThat(reply).startsWith("{\"id\":5,\"error\":\"forbidden\",\"message\":\"");
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/meta/**\",\"id\":6}");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("forbidden");
            ws.send("{\"op\":\"publish\",\"channel\":\"/service/x\",\"data\":1}");
            JsonNode noId = ws.nextJson();
            assertThat(noId.get("error").asText()).isEqualTo("forbidden");
            assertThat(noId.has("id")).isFalse();
        }
    }

    @Test
    void badRequestsGetPreciseErrors() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"dance\",\"id\":1}");
            assertThat(ws.next()).isEqualTo("{\"id\":1,\"error\":\"bad_request\",\"message\":\"\\\"op\\\" must be subscribe, unsubscribe or publish.\"}");
            ws.send("{\"op\":\"subscribe\",\"channel\":\"bad channel!\",\"id\":2}");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("bad_channel");
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/x\",\"since\":-1,\"id\":3}");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("bad_cursor");
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/x/*\",\"since\":1,\"id\":4}");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("bad_cursor");
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/x\",\"cursor\":\"nonsense\",\"id\":5}");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("bad_cursor");
            ws.send("{\"op\":\"publish\",\"channel\":\"/ws/x\",\"id\":6}");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("bad_json");
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/x\",\"id\":{\"no\":1}}");
            JsonNode badId = ws.nextJson();
            assertThat(badId.get("error").asText()).isEqualTo("bad_request");
            assertThat(badId.has("id")).isFalse();
            ws.send("[1,2]");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("bad_json");
            ws.send("{\"op\":\"publish\",\"channel\":\"/ws/x\",\"data\":1" + "2".repeat(200) + "}");
            assertThat(ws.nextJson().get("error").asText()).isEqualTo("bad_json");
        }
    }

    // ---- errors that close the connection ------------------------------------------------------

    @Test
    void messageOverTheLimitClosesWith1009() throws Exception {
        long before = server.server().metrics().closeCount(CloseReason.TOO_LARGE);
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("\"" + "x".repeat(64 * 1024) + "\"");
            assertThat(ws.awaitClose()).isEqualTo(new WsClient.Closed(1009, "too_large"));
        }
        assertThat(server.server().metrics().closeCount(CloseReason.TOO_LARGE)).isGreaterThan(before);
    }

    @Test
    void fragmentedMessageOverTheLimitClosesWith1009() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            byte[] part = new byte[40 * 1024];
            java.util.Arrays.fill(part, (byte) 'a');
            ws.sendFrame(false, RawWebSocket.TEXT, part);
            ws.sendFrame(true, RawWebSocket.CONTINUATION, part);
            assertThat(ws.readBytes(2 + 2 + 9)).isEqualTo(closeFrame(1009, "too_large"));
            ws.sendClose(1009);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aMessageInFragmentsIsReadWholeWithControlFramesBetween() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            // "é" (C3 A9) is split between two fragments: valid once joined.
            byte[] text = "{\"op\":\"subscribe\",\"channel\":\"/ws/fragments\",\"id\":\"é\"}".getBytes(StandardCharsets.UTF_8);
            int split = text.length - 3;
            ws.sendFrame(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(text, 0, 10));
            ws.sendFrame(true, RawWebSocket.PING, new byte[] {7});
            ws.sendFrame(false, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(text, 10, split));
            ws.sendFrame(true, RawWebSocket.CONTINUATION, java.util.Arrays.copyOfRange(text, split, text.length));
            RawWebSocket.Frame pong = ws.readFrame();
            assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
            assertThat(pong.payload()).containsExactly(7);
            JsonNode ack = JSON.readTree(ws.readFrame().text());
            assertThat(ack.get("id").asText()).isEqualTo("é");
            assertThat(ack.get("ok").asBoolean()).isTrue();
            assertThat(ack.get("channel").asText()).isEqualTo("/ws/fragments");
        }
    }

    @Test
    void invalidUtf8InAFragmentClosesWith1007BeforeTheMessageEnds() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            ws.sendFrame(false, RawWebSocket.TEXT, new byte[] {'"', 'a'});
            ws.sendFrame(false, RawWebSocket.CONTINUATION, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // a surrogate
            assertThat(ws.readBytes(2 + 2 + 8)).isEqualTo(closeFrame(1007, "bad_data"));
            ws.sendClose(1007);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aBinaryMessageInFragmentsClosesWith1003() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            ws.sendFrame(false, RawWebSocket.BINARY, new byte[] {1, 2});
            ws.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {3});
            assertThat(ws.readBytes(2 + 2 + 16)).isEqualTo(closeFrame(1003, "unsupported_data"));
            ws.sendClose(1003);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            ws.sendFrame(true, RawWebSocket.TEXT, new byte[] {'"', (byte) 0xC3, 0x28, '"'});
            assertThat(ws.readBytes(2 + 2 + 8)).isEqualTo(closeFrame(1007, "bad_data"));
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    @Test
    void jsonNestedTenThousandDeepClosesWith1007() throws Exception {
        long before = server.server().metrics().closeCount(CloseReason.BAD_DATA);
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("[".repeat(10_000) + "]".repeat(10_000));
            assertThat(ws.awaitClose()).isEqualTo(new WsClient.Closed(1007, "bad_data"));
        }
        assertThat(server.server().metrics().closeCount(CloseReason.BAD_DATA)).isGreaterThan(before);
    }

    @Test
    void binaryMessageClosesWith1003() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            ws.sendFrame(true, RawWebSocket.BINARY, new byte[] {1, 2, 3});
            assertThat(ws.readBytes(2 + 2 + 16)).isEqualTo(closeFrame(1003, "unsupported_data"));
            ws.sendClose(1003);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    // ---- control frames and the upgrade ----------------------------------------------------

    @Test
    void clientPingGetsItsPong() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            ws.sendPing(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
            assertThat(ws.nextPong(Duration.ofSeconds(5))).isEqualTo(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void clientCloseIsEchoedAndTheConnectionEnds() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port())) {
            ws.sendClose(4000);
            RawWebSocket.Frame close = ws.readFrame();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeStatus()).isEqualTo(4000);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    @Test
    void plainGetIsRefusedWith400() throws Exception {
        HttpResponse<String> r = server.get("/ws");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("{\"error\":\"bad_request\",\"message\":\"WebSocket upgrade required.\"}");
    }

    @Test
    void otherWebSocketVersionsAreRefusedWith426() throws Exception {
        try (dev.halley.server.testing.RawHttp raw = new dev.halley.server.testing.RawHttp(server.port())) {
            raw.get("/ws", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                    "Sec-WebSocket-Version: 8");
            var head = raw.readHead();
            assertThat(head.status()).isEqualTo(426);
            assertThat(head.header("sec-websocket-version")).isEqualTo("13");
            assertThat(raw.readBody(head)).contains("\"error\":\"bad_request\"");
        }
    }

    @Test
    void connectionCountFallsWhenAWebSocketCloses() throws Exception {
        long before = server.server().metrics().openConnections();
        try (WsClient ws = WsClient.connect(server)) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/ws/count\",\"id\":1}");
            ws.nextJson();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().metrics().openConnections() <= before);
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** The bytes of an unmasked close frame with a short reason. */
    static byte[] closeFrame(int status, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[4 + r.length];
        f[0] = (byte) 0x88;
        f[1] = (byte) (2 + r.length);
        f[2] = (byte) (status >>> 8);
        f[3] = (byte) status;
        System.arraycopy(r, 0, f, 4, r.length);
        return f;
    }

    private static String time(String message) {
        Matcher m = TIME.matcher(message);
        assertThat(m.find()).as("time in %s", message).isTrue();
        return m.group(1);
    }
}
