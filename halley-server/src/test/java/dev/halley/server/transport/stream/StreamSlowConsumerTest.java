package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.core.CloseReason;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that stops reading: the stream stops draining once the socket is unwritable, the
 * feed fills to its bound, and the client is told {@code slow} (it gets the notice once it reads
 * again) and disconnected; other clients are not delayed.
 */
@Timeout(60)
class StreamSlowConsumerTest {
    static final String BIG = "\"" + "x".repeat(500 * 1024) + "\"";

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.STREAM_BUDGET, "512MiB")
            .with(ConfigKey.UNWRITABLE_TIMEOUT, "30s"));

    @Test
    void overflowingClientGetsASlowNoticeAndIsDisconnected() throws Exception {
        String ch = "/slow/overflow";
        long before = server.server().metrics().closeCount(CloseReason.SLOW);
        try (StreamClient fast = StreamClient.open(server.port(), Wire.NDJSON, "channel=/slow/other");
             RawHttp slow = new RawHttp(server.port(), Duration.ofSeconds(20), 8 * 1024)) {
            fast.next();
            slow.get(Wire.NDJSON.target("channel=" + ch));
            assertThat(slow.readHead().status()).isEqualTo(200);
            // Publish until the server gives up on the client that does not read.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                server.publish(ch, BIG);
                return server.server().metrics().closeCount(CloseReason.SLOW) > before;
            });
            // Others are not delayed.
            server.publish("/slow/other", "1");
            assertThat(fast.nextSkippingHeartbeats().offset()).isEqualTo(1);

            String tail = new String(slow.readToEnd(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(tail).containsPattern("\\{\"reconnect\":true,\"reason\":\"slow\",\"cursor\":\"[A-Za-z0-9_-]+\"}\n\r\n0\r\n\r\n$");
        }
    }
}
