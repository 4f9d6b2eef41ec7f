package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.core.CloseReason;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A socket unwritable for longer than {@code unwritable-timeout} is closed as slow, without a notice it could not read. */
@Timeout(60)
class StreamUnwritableTest {
    static final String BIG = "\"" + "x".repeat(500 * 1024) + "\"";

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.STREAM_BUDGET, "512MiB")
            .with(ConfigKey.OUTBOUND_MAX_BYTES, "256MiB")
            .with(ConfigKey.UNWRITABLE_TIMEOUT, "300ms"));

    @Test
    void clientThatDoesNotReadIsClosedAsSlow() throws Exception {
        String ch = "/unwritable/a";
        long before = server.server().metrics().closeCount(CloseReason.SLOW);
        try (RawHttp slow = new RawHttp(server.port(), Duration.ofSeconds(20), 8 * 1024)) {
            slow.get(Wire.NDJSON.target("channel=" + ch));
            assertThat(slow.readHead().status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                server.publish(ch, BIG);
                return server.server().metrics().closeCount(CloseReason.SLOW) > before;
            });
            String got = new String(slow.readToEnd(), StandardCharsets.ISO_8859_1);
            assertThat(got).doesNotContain("\"reconnect\"").doesNotEndWith("0\r\n\r\n");
        }
        assertThat(server.server().metrics().closeCount(CloseReason.SLOW)).isEqualTo(before + 1);
    }
}
