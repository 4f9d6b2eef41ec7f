package dev.halley.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.Metrics;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code idle-timeout} between keep-alive requests, and no HTTP deadline while a long-poll is
 * held. Raw sockets only, so no pooled client connection races the short deadline.
 */
@Timeout(30)
class IdleTimeoutTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.IDLE_TIMEOUT, "400ms")
            .with(ConfigKey.HEADER_TIMEOUT, "400ms"));

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        long before = server.server().metrics().timeoutCount(Metrics.Deadline.IDLE);
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/healthz");
            RawHttp.Head head = raw.readHead();
            assertThat(head.header("connection")).isNull();
            raw.readBody(head);
            long t0 = System.nanoTime();
            Edge.assertClosedByServer(raw);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(300L, 4000L);
        }
        assertThat(server.server().metrics().timeoutCount(Metrics.Deadline.IDLE)).isEqualTo(before + 1);
    }

    @Test
    void aHeldLongPollOutlivesTheDeadlinesAndTheConnectionGoesOn() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            long t0 = System.nanoTime();
            raw.get("/longpoll?channel=/idle/held&timeout=1.2");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(raw.readBody(head)).startsWith("{\"messages\":[]");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(1100L);
            raw.get("/healthz");
            assertThat(raw.readHead().status()).isEqualTo(200);
        }
    }
}
