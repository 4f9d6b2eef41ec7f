package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.RawWebSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sockjs-protocol 0.3.3, "WebSocket protocols" and "Raw WebSocket url", over a raw WebSocket
 * client: {@code WebsocketHttpErrors}, the RFC 6455 ({@code WebsocketHybi10}) tests, the
 * {@code WebsocketHixie76} tests that do not need the hixie-76 handshake (Halley speaks RFC 6455
 * and its drafts 7 and 8 only), and {@code RawWebsocket}.
 */
@Timeout(30)
class SockJsWebSocketTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true"));

    private final SockJsHttp http = new SockJsHttp(server);

    private static RawWebSocket connect(String path) throws IOException {
        return RawWebSocket.connect(server.port(), path, Duration.ofSeconds(5), 0);
    }

    private static String text(RawWebSocket ws) throws IOException {
        RawWebSocket.Frame f = ws.readFrame();
        assertThat(f.opcode()).as("opcode").isEqualTo(RawWebSocket.TEXT);
        return f.text();
    }

    // WebsocketHttpErrors.test_httpMethod
    @Test
    void plainGetIsRefused() throws Exception {
        SockJsHttp.Response r = http.get(SockJsHttp.base("echo") + "/0/0/websocket");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("Can \"Upgrade\" only to \"WebSocket\".");
    }

    // WebsocketHttpErrors.test_invalidConnectionHeader
    @Test
    void connectionHeaderMustSayUpgrade() throws Exception {
        SockJsHttp.Response r = http.get(SockJsHttp.base("echo") + "/0/0/websocket", "Upgrade: WebSocket", "Connection: close");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("\"Connection\" must be \"Upgrade\".");
    }

    // WebsocketHttpErrors.test_invalidMethod
    @Test
    void onlyGet() throws Exception {
        for (String[] h : List.of(new String[] {"Upgrade: WebSocket", "Connection: Upgrade"}, new String[0])) {
            SockJsHttp.Response r = http.post(SockJsHttp.base("echo") + "/0/0/websocket", null, h);
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("content-type")).isNull();
            assertThat(r.header("allow")).isNotBlank();
            assertThat(r.body()).isEmpty();
        }
    }

    // WebsocketHybi10.test_transport, WebsocketHixie76.test_transport and test_empty_frame
    @Test
    void framedTransportIgnoresEmptyFrames() throws Exception {
        try (RawWebSocket ws = connect(SockJsHttp.session("echo") + "/websocket")) {
            assertThat(text(ws)).isEqualTo("o");
            ws.sendText("");
            ws.sendText("[\"a\"]");
            assertThat(text(ws)).isEqualTo("a[\"a\"]");
            ws.sendText("\"single\""); // one JSON string is one message
            assertThat(text(ws)).isEqualTo("a[\"single\"]");
        }
    }

    // WebsocketHybi10.test_close, WebsocketHixie76.test_close
    @Test
    void closeServiceSendsTheCloseFrameThenCloses() throws Exception {
        try (RawWebSocket ws = connect(SockJsHttp.session("close") + "/websocket")) {
            assertThat(text(ws)).isEqualTo("o");
            assertThat(text(ws)).isEqualTo("c[3000,\"Go away!\"]");
            RawWebSocket.Frame close = ws.readFrame();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeStatus()).isEqualTo(3000);
            assertThat(close.closeReason()).isEqualTo("Go away!");
            ws.sendClose(3000);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    // WebsocketHixie76.test_reuseSessionId
    @Test
    void sessionIdMayBeReusedOverWebSocket() throws Exception {
        String url = SockJsHttp.session("echo") + "/websocket";
        try (RawWebSocket ws1 = connect(url); RawWebSocket ws2 = connect(url)) {
            assertThat(text(ws1)).isEqualTo("o");
            assertThat(text(ws2)).isEqualTo("o");
            ws1.sendText("[\"a\"]");
            assertThat(text(ws1)).isEqualTo("a[\"a\"]");
            ws2.sendText("[\"b\"]");
            assertThat(text(ws2)).isEqualTo("a[\"b\"]");
            ws1.sendClose(1000);
            ws2.sendClose(1000);
        }
        try (RawWebSocket ws = connect(url)) {
            assertThat(text(ws)).isEqualTo("o");
            ws.sendText("[\"a\"]");
            assertThat(text(ws)).isEqualTo("a[\"a\"]");
        }
    }

    // WebsocketHybi10.test_broken_json, WebsocketHixie76.test_broken_json
    @Test
    void brokenJsonEndsTheConnection() throws Exception {
        try (RawWebSocket ws = connect(SockJsHttp.session("echo") + "/websocket")) {
            assertThat(text(ws)).isEqualTo("o");
            ws.sendText("[\"a");
            RawWebSocket.Frame close = ws.readFrame();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeStatus()).isEqualTo(1007);
            ws.sendClose(1007);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    // WebsocketHybi10.test_headersSanity, test_firefox_602_connection_header
    @Test
    void draftsSevenAndEightAndRfc6455Handshakes() throws Exception {
        for (String[] v : List.of(new String[] {"7", "Upgrade"}, new String[] {"8", "Upgrade"}, new String[] {"13", "Upgrade"},
                new String[] {"7", "keep-alive, Upgrade"})) {
            try (RawHttp c = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
                SockJsHttp.send(c, "GET", SockJsHttp.session("echo") + "/websocket", "1.1", null, "Upgrade: websocket",
                        "Connection: " + v[1], "Sec-WebSocket-Version: " + v[0], "Sec-WebSocket-Origin: http://asd",
                        "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==");
                RawHttp.Head head = c.readHead();
                assertThat(head.status()).as("version " + v[0]).isEqualTo(101);
                assertThat(head.header("sec-websocket-accept")).isEqualTo("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
                assertThat(head.header("connection").toLowerCase()).isEqualTo("upgrade");
                assertThat(head.header("upgrade").toLowerCase()).isEqualTo("websocket");
                assertThat(head.header("content-length")).isNull();
            }
        }
    }

    // RawWebsocket.test_transport
    @Test
    void rawWebSocketEchoesTextAsItIs() throws Exception {
        try (RawWebSocket ws = connect(SockJsHttp.base("echo") + "/websocket")) {
            ws.sendText("Hello world!\uffff");
            assertThat(text(ws)).isEqualTo("Hello world!\uffff");
        }
    }

    // RawWebsocket.test_close
    @Test
    void rawWebSocketOfTheCloseServiceCloses() throws Exception {
        try (RawWebSocket ws = connect(SockJsHttp.base("close") + "/websocket")) {
            RawWebSocket.Frame close = ws.readFrame();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeStatus()).isEqualTo(3000);
            ws.sendClose(3000);
            assertThat(ws.isClosedByServer()).isTrue();
        }
    }

    // The disabled_websocket_echo service has no WebSocket transports at all.
    @Test
    void disabledWebSocketIsNotFound() throws Exception {
        String base = SockJsHttp.base("disabled_websocket_echo");
        assertThatThrownBy(() -> connect(base + "/000/abc/websocket")).hasMessageContaining("404");
        assertThatThrownBy(() -> connect(base + "/websocket")).hasMessageContaining("404");
    }

    // The client closing ends the session, counted as the client's doing.
    @Test
    void clientCloseEndsTheSession() throws Exception {
        long before = server.server().metrics().sessionsEnded(Sessions.PROTOCOL, "client");
        try (RawWebSocket ws = connect(SockJsHttp.session("echo") + "/websocket")) {
            assertThat(text(ws)).isEqualTo("o");
            ws.sendClose(1000);
            RawWebSocket.Frame echo = ws.readFrame();
            assertThat(echo.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(ws.isClosedByServer()).isTrue();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> server.server().metrics().sessionsEnded(Sessions.PROTOCOL, "client") > before);
    }
}
