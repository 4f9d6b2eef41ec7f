package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.core.CloseReason;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A session's outgoing queue is bounded ({@code outbound-max-messages}, {@code outbound-max-bytes})
 * and a stream drains it only while its socket is writable: going over the queue's bound, or
 * leaving the socket unwritable for {@code unwritable-timeout}, closes the session as {@code slow},
 * counted; the session's later requests get {@code c[1008,"slow"]}.
 */
@Timeout(60)
class SockJsSlowClientTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.OUTBOUND_MAX_MESSAGES, "100")
            .with(ConfigKey.OUTBOUND_MAX_BYTES, "256MiB")
            .with(ConfigKey.STREAM_BUDGET, "512MiB")
            .with(ConfigKey.UNWRITABLE_TIMEOUT, "300ms"));

    private final SockJsHttp http = new SockJsHttp(server);

    @Test
    void queueOverItsBoundClosesTheSessionAsSlow() throws Exception {
        long slow = server.server().metrics().closeCount(CloseReason.SLOW);
        String url = SockJsHttp.session("channels");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        String subscribe = "\"{\\\"op\\\":\\\"subscribe\\\",\\\"channel\\\":\\\"slow/q\\\"}\"";
        assertThat(http.post(url + "/xhr_send", "[" + subscribe + "]").status()).isEqualTo(204);
        // Nobody polls: the session's queue fills to half its bound, then the feed to its own.
        for (int i = 0; i < 200; i++) {
            server.publish("slow/q", Integer.toString(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().metrics().closeCount(CloseReason.SLOW) > slow);
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("c[1008,\"slow\"]\n");
        assertThat(server.server().metrics().sessionsEnded(Sessions.PROTOCOL, "slow")).isPositive();
    }

    @Test
    void streamThatCannotWriteClosesTheSessionAsSlow() throws Exception {
        String big = "\"" + "x".repeat(500 * 1024) + "\"";
        String url = SockJsHttp.session("channels");
        long slow = server.server().metrics().closeCount(CloseReason.SLOW);
        try (RawHttp reader = new RawHttp(server.port(), Duration.ofSeconds(20), 8 * 1024)) {
            SockJsHttp.send(reader, "GET", url + "/eventsource", "1.1", null);
            assertThat(reader.readHead().status()).isEqualTo(200);
            String subscribe = "\"{\\\"op\\\":\\\"subscribe\\\",\\\"channel\\\":\\\"slow/w\\\"}\"";
            assertThat(http.post(url + "/xhr_send", "[" + subscribe + "]").status()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                server.publish("slow/w", big);
                return server.server().metrics().closeCount(CloseReason.SLOW) > slow;
            });
            reader.readToEnd(); // the server closed the connection
        }
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("c[1008,\"slow\"]\n");
    }
}
