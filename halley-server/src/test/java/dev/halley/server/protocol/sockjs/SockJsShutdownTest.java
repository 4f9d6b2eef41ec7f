package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyServer;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.RawWebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A graceful shutdown closes the SockJS sessions that have a receiver with
 * {@code c[1001,"shutdown"]}, so sockjs-client reports a close and the application reconnects
 * (to another node); a WebSocket then closes with 1001.
 */
@Timeout(30)
class SockJsShutdownTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true")
            .with(ConfigKey.SHUTDOWN_GRACE, "5s"));

    @Test
    void receiversGetTheShutdownCloseFrame() throws Exception {
        SockJsHttp http = new SockJsHttp(server);
        String polled = SockJsHttp.session("echo");
        assertThat(http.post(polled + "/xhr", null).body()).isEqualTo("o\n");
        try (SockJsHttp.Stream stream = http.stream("POST", SockJsHttp.session("echo") + "/xhr_streaming");
             RawWebSocket ws = RawWebSocket.connect(server.port(), SockJsHttp.session("echo") + "/websocket", Duration.ofSeconds(5), 0);
             RawHttp poll = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            stream.read();
            assertThat(stream.read()).isEqualTo("o\n");
            assertThat(ws.readFrame().text()).isEqualTo("o");
            SockJsSessionTest.sendAndAwaitDispatch(server, poll, "POST", polled + "/xhr");

            HalleyServer running = server.server();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::stop);
            assertThat(stream.read()).isEqualTo("c[1001,\"shutdown\"]\n");
            assertThat(stream.read()).isNull();
            assertThat(ws.readFrame().text()).isEqualTo("c[1001,\"shutdown\"]");
            RawWebSocket.Frame close = ws.readFrame();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeStatus()).isEqualTo(1001);
            ws.sendClose(1001);
            RawHttp.Head head = poll.readHead();
            assertThat(poll.readBody(head)).isEqualTo("c[1001,\"shutdown\"]\n");
            closing.get(10, TimeUnit.SECONDS);
            assertThat(running.metrics().sessionsEnded(Sessions.PROTOCOL, "shutdown")).isEqualTo(3);
        }
    }
}
