package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawWebSocket;
import dev.halley.server.testing.WsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code channels} service: SockJS clients on the same channels as native clients, speaking
 * the native WebSocket protocol's requests and replies as SockJS messages, over each kind of
 * SockJS transport (polling, framed WebSocket, raw WebSocket); and its two options.
 */
@Timeout(30)
class SockJsChannelsTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    @RegisterExtension
    static HalleyServerExtension sticky = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_JSESSIONID, "true")
            .with(ConfigKey.SOCKJS_WEBSOCKET, "false"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SockJsHttp http = new SockJsHttp(server);

    /** The messages of one {@code a[…]} frame of a poll, each parsed as the JSON it carries. */
    private static List<JsonNode> messages(String frame) throws IOException {
        assertThat(frame).startsWith("a[");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode m : JSON.readTree(frame.strip().substring(1))) {
            out.add(JSON.readTree(m.textValue()));
        }
        return out;
    }

    private static String send(String... requests) throws IOException {
        List<String> quoted = new ArrayList<>();
        for (String r : requests) {
            quoted.add(JSON.writeValueAsString(r));
        }
        return "[" + String.join(",", quoted) + "]";
    }

    @Test
    void pollingClientSubscribesAndGetsWhatTheApiPublishes() throws Exception {
        String url = SockJsHttp.session("channels");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        assertThat(http.post(url + "/xhr_send", send("{\"op\":\"subscribe\",\"channel\":\"sockjs/news\",\"id\":1}")).status())
                .isEqualTo(204);
        JsonNode reply = messages(http.post(url + "/xhr", null).body()).get(0);
        assertThat(reply.get("id").asInt()).isEqualTo(1);
        assertThat(reply.get("ok").asBoolean()).isTrue();
        assertThat(reply.get("channel").asText()).isEqualTo("sockjs/news");

        server.publish("sockjs/news", "{\"headline\":\"über\"}");
        JsonNode m = messages(http.post(url + "/xhr", null).body()).get(0);
        assertThat(m.get("channel").asText()).isEqualTo("sockjs/news");
        assertThat(m.get("offset").asLong()).isEqualTo(1);
        assertThat(m.get("data").get("headline").asText()).isEqualTo("über");
        assertThat(m.get("time").asLong()).isPositive();
    }

    @Test
    void sockJsWebSocketAndNativeWebSocketShareChannels() throws Exception {
        try (RawWebSocket sock = RawWebSocket.connect(server.port(), SockJsHttp.session("channels") + "/websocket", Duration.ofSeconds(5), 0);
             WsClient nativeWs = WsClient.connect(server)) {
            assertThat(sock.readFrame().text()).isEqualTo("o");
            sock.sendText(send("{\"op\":\"subscribe\",\"channel\":\"mixed\",\"id\":\"s\"}"));
            assertThat(messages(sock.readFrame().text()).get(0).get("ok").asBoolean()).isTrue();
            nativeWs.send("{\"op\":\"subscribe\",\"channel\":\"mixed\",\"id\":1}");
            assertThat(nativeWs.nextJson().get("ok").asBoolean()).isTrue();

            nativeWs.send("{\"op\":\"publish\",\"channel\":\"mixed\",\"data\":\"from native\",\"id\":2}");
            assertThat(messages(sock.readFrame().text()).get(0).get("data").asText()).isEqualTo("from native");

            sock.sendText(send("{\"op\":\"publish\",\"channel\":\"mixed\",\"data\":\"from sockjs\",\"id\":3}"));
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                seen.add(nativeWs.next()); // the reply to its publish, its message, the SockJS client's message
            }
            assertThat(seen).anySatisfy(t -> assertThat(t).contains("\"data\":\"from sockjs\""));
        }
    }

    @Test
    void rawWebSocketSpeaksTheNativeFrames() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(server.port(), SockJsHttp.base("channels") + "/websocket", Duration.ofSeconds(5), 0)) {
            raw.sendText("{\"op\":\"subscribe\",\"channel\":\"raw/x\",\"id\":7}");
            assertThat(JSON.readTree(raw.readFrame().text()).get("id").asInt()).isEqualTo(7);
            server.publish("raw/x", "42");
            JsonNode m = JSON.readTree(raw.readFrame().text());
            assertThat(m.get("channel").asText()).isEqualTo("raw/x");
            assertThat(m.get("data").asInt()).isEqualTo(42);
        }
    }

    @Test
    void policyAndBadRequestsAreErrorReplies() throws Exception {
        String url = SockJsHttp.session("channels");
        http.post(url + "/xhr", null);
        http.post(url + "/xhr_send", send("{\"op\":\"subscribe\",\"channel\":\"/meta/secret\",\"id\":1}", "not json", "{\"op\":\"dance\",\"id\":2}"));
        List<JsonNode> replies = messages(http.post(url + "/xhr", null).body());
        assertThat(replies).hasSize(3);
        assertThat(replies.get(0).get("error").asText()).isEqualTo("forbidden");
        assertThat(replies.get(1).get("error").asText()).isEqualTo("bad_json");
        assertThat(replies.get(2).get("error").asText()).isEqualTo("bad_request");
    }

    @Test
    void stickyAndNoWebSocketOptions() throws Exception {
        SockJsHttp stickyHttp = new SockJsHttp(sticky);
        JsonNode info = JSON.readTree(stickyHttp.get(SockJsHttp.base("channels") + "/info").body());
        assertThat(info.get("cookie_needed").asBoolean()).isTrue();
        assertThat(info.get("websocket").asBoolean()).isFalse();
        SockJsHttp.Response r = stickyHttp.post(SockJsHttp.session("channels") + "/xhr", null);
        assertThat(r.body()).isEqualTo("o\n");
        assertThat(r.header("set-cookie")).isEqualTo("JSESSIONID=dummy; path=/");
        assertThat(stickyHttp.get(SockJsHttp.base("channels") + "/websocket", "Upgrade: websocket", "Connection: Upgrade").status())
                .isEqualTo(404);
        // Without --sockjs-test-services there are no test services.
        assertThat(stickyHttp.get(SockJsHttp.base("echo")).status()).isEqualTo(404);
    }
}
