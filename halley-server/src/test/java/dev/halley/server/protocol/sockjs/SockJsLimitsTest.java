package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.core.ReplyError;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.RawWebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heartbeats and the session bound, with both shortened: {@code h} frames on every kind of
 * receiver ("Protocol and framing": a heartbeat every now and then, 25 s by default), and the
 * 503 that refuses a session over {@code sockjs-max-sessions}.
 */
@Timeout(30)
class SockJsLimitsTest {
    static final int MAX_SESSIONS = 4;

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true")
            .with(ConfigKey.HEARTBEAT, "300ms"));

    /** Its own server, so that no other test's sessions count against the bound. */
    @RegisterExtension
    static HalleyServerExtension bounded = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true")
            .with(ConfigKey.SOCKJS_DISCONNECT_DELAY, "3s")
            .with(ConfigKey.SOCKJS_MAX_SESSIONS, Integer.toString(MAX_SESSIONS)));

    private final SockJsHttp http = new SockJsHttp(server);

    @Test
    void heartbeatsOnPollsStreamsAndWebSockets() throws Exception {
        String poll = SockJsHttp.session("echo");
        assertThat(http.post(poll + "/xhr", null).body()).isEqualTo("o\n");
        assertThat(http.post(poll + "/xhr", null).body()).isEqualTo("h\n"); // a parked poll answers h after a silence
        try (SockJsHttp.Stream s = http.stream("GET", SockJsHttp.session("echo") + "/eventsource")) {
            s.read();
            assertThat(s.read()).isEqualTo("data: o\r\n\r\n");
            assertThat(s.read()).isEqualTo("data: h\r\n\r\n");
            assertThat(s.read()).isEqualTo("data: h\r\n\r\n");
        }
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), SockJsHttp.session("echo") + "/websocket", Duration.ofSeconds(5), 0)) {
            assertThat(ws.readFrame().text()).isEqualTo("o");
            RawWebSocket.Frame f;
            do {
                f = ws.readFrame(); // the connection's own pings come too
            } while (f.opcode() == RawWebSocket.PING);
            assertThat(f.text()).isEqualTo("h");
        }
    }

    @Test
    void sessionsOverTheBoundAreRefusedWith503() throws Exception {
        SockJsHttp http = new SockJsHttp(bounded);
        long refused = bounded.server().metrics().errorCount(ReplyError.UNAVAILABLE);
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < MAX_SESSIONS; i++) {
            String url = SockJsHttp.session("echo");
            assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
            sessions.add(url);
        }
        SockJsHttp.Response r = http.post(SockJsHttp.session("echo") + "/xhr", null);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("\"error\":\"unavailable\"");
        try (RawHttp c = new RawHttp(bounded.port(), SockJsHttp.DEADLINE)) {
            SockJsHttp.send(c, "GET", SockJsHttp.session("echo") + "/websocket", "1.1", null, "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==");
            assertThat(c.readHead().status()).isEqualTo(503);
        }
        assertThat(bounded.server().metrics().errorCount(ReplyError.UNAVAILABLE)).isEqualTo(refused + 2);
        // Existing sessions go on; once they time out, new ones are welcome again.
        assertThat(http.post(sessions.get(0) + "/xhr_send", "[\"still here\"]").status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.post(SockJsHttp.session("echo") + "/xhr", null).status() == 200);
    }
}
