package dev.halley.server.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.CloseReason;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawWebSocket;
import dev.halley.server.testing.WsClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(30)
class WebSocketHeartbeatTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.HEARTBEAT, "300ms")
            // HTTP deadlines far below the test's length: they must not apply once a connection is upgraded.
            .with(ConfigKey.HEADER_TIMEOUT, "400ms")
            .with(ConfigKey.IDLE_TIMEOUT, "400ms"));

    @Test
    void aClientThatAnswersPingsStaysConnected() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            // The JDK client answers each ping with a pong; three rounds prove the deadline moves on.
            for (int i = 0; i < 3; i++) {
                assertThat(ws.nextPing(Duration.ofSeconds(5)).remaining()).isZero();
            }
            assertThat(ws.isClosed()).isFalse();
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/hb/alive\",\"id\":1}");
            assertThat(ws.nextJson().get("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void httpDeadlinesDoNotApplyAfterTheUpgrade() throws Exception {
        try (WsClient ws = WsClient.connect(server)) {
            // Pings are the clock: a request after each, over more than three header/idle deadlines.
            for (int i = 1; i <= 5; i++) {
                ws.nextPing(Duration.ofSeconds(5));
                ws.send("{\"op\":\"unsubscribe\",\"channel\":\"/hb/none\",\"id\":" + i + "}");
                assertThat(ws.nextJson().get("id").asInt()).isEqualTo(i);
            }
            assertThat(ws.isClosed()).isFalse();
        }
    }

    @Test
    void aClientThatNeverAnswersIsPingedThenClosed() throws Exception {
        long before = server.server().metrics().closeCount(CloseReason.HEARTBEAT_TIMEOUT);
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), Duration.ofSeconds(5), 0)) {
            long t0 = System.nanoTime();
            assertThat(ws.readBytes(2)).isEqualTo(new byte[] {(byte) 0x89, 0x00});
            long pingedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ws.readBytes(2 + 2 + 17)).isEqualTo(WebSocketTransportTest.closeFrame(1001, "heartbeat_timeout"));
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ws.isClosedByServer()).isTrue();
            assertThat(pingedAfter).isBetween(200L, 2000L);
            assertThat(closedAfter - pingedAfter).isGreaterThanOrEqualTo(200L);
        }
        assertThat(server.server().metrics().closeCount(CloseReason.HEARTBEAT_TIMEOUT)).isGreaterThan(before);
    }

    @Test
    void anyFrameCountsAsALifeSign() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(server.port(), Duration.ofSeconds(5), 0)) {
            // Answer each ping with a text request instead of a pong: still alive.
            for (int i = 0; i < 3; i++) {
                RawWebSocket.Frame f = ws.readFrame();
                while (f.opcode() != RawWebSocket.PING) {
                    f = ws.readFrame();
                }
                ws.sendText("{\"op\":\"unsubscribe\",\"channel\":\"/hb/none\",\"id\":" + i + "}");
            }
            RawWebSocket.Frame f = ws.readFrame();
            while (f.opcode() == RawWebSocket.TEXT) {
                f = ws.readFrame();
            }
            assertThat(f.opcode()).isEqualTo(RawWebSocket.PING);
        }
    }
}
