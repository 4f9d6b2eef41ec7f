package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.errors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.PublishRate;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-connection publish budget. Over sockets with {@code publish-rate=1} (one token a
 * second, so a burst of quick requests cannot be rescued by a refill); the default of 50 per
 * second on a fake clock.
 */
@Timeout(30)
class PublishRateTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.PUBLISH_RATE, "1"));

    @Test
    void overTheRateIs429AndRepeatedAbuseClosesTheConnection() throws Exception {
        long tooMany = errors(server, "too_many");
        long protocolCloses = Edge.counter(server, "halley_closes_total{reason=\"protocol_error\"}");
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.post("/publish", "{\"channel\":\"/rate/a\",\"data\":0}"));
            RawHttp.Head ok = raw.readHead();
            assertThat(ok.status()).isEqualTo(200);
            assertThat(raw.readBody(ok)).isEqualTo("{\"channel\":\"/rate/a\",\"offset\":1}");
            for (int i = 1; i <= PublishRate.MAX_STRIKES; i++) {
                raw.send(Edge.post("/publish", "{\"channel\":\"/rate/a\",\"data\":" + i + "}"));
                RawHttp.Head head = raw.readHead();
                assertThat(head.status()).as("refusal %d", i).isEqualTo(429);
                Edge.assertError(raw.readBody(head), "too_many");
                if (i < PublishRate.MAX_STRIKES) {
                    assertThat(head.header("connection")).as("refusal %d keeps the connection", i).isNull();
                } else {
                    assertThat(head.header("connection")).isEqualTo("close");
                }
            }
            Edge.assertClosedByServer(raw);

            // Another connection has its own budget, and the long-poll held meanwhile is served.
            try (RawHttp fresh = new RawHttp(server.port())) {
                fresh.send(Edge.post("/publish", "{\"channel\":\"/rate/b\",\"data\":1}"));
                assertThat(fresh.readHead().status()).isEqualTo(200);
            }
            other.assertUnaffected();
        }
        assertThat(errors(server, "too_many")).isEqualTo(tooMany + PublishRate.MAX_STRIKES);
        assertThat(Edge.counter(server, "halley_closes_total{reason=\"protocol_error\"}")).isEqualTo(protocolCloses + 1);
        assertThat(server.hub().history("/rate/a", 0, 100).toCompletableFuture().get().messages()).hasSize(1);
    }

    @Test
    void jsonpPublishOverTheRateAnswersWithAJsonpError() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/publish?channel=/rate/jsonp&data=1&callback=cb");
            RawHttp.Head ok = raw.readHead();
            assertThat(raw.readBody(ok)).isEqualTo("/**/cb({\"channel\":\"/rate/jsonp\",\"offset\":1});");
            raw.get("/publish?channel=/rate/jsonp&data=2&callback=cb");
            RawHttp.Head refused = raw.readHead();
            assertThat(refused.status()).isEqualTo(200);
            assertThat(refused.header("content-type")).isEqualTo("application/javascript; charset=UTF-8");
            Edge.assertError(ClientPublishTest.jsonpArgument(raw.readBody(refused), "cb"), "too_many");
        }
    }

    @Test
    void theDefaultIsFiftyPerSecondThenTheFiftyFirstIsRefused() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        PublishRate rate = new PublishRate(Integer.parseInt(ConfigKey.PUBLISH_RATE.defaultValue()), now::get);
        for (int i = 1; i <= 50; i++) {
            now.addAndGet(TimeUnit.MICROSECONDS.toNanos(100));
            assertThat(rate.tryAcquire()).as("publish %d", i).isTrue();
        }
        assertThat(rate.tryAcquire()).as("publish 51").isFalse();
        assertThat(rate.exhausted()).isFalse();
        // A token comes back every 20 ms.
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(rate.tryAcquire()).isTrue();
        assertThat(rate.tryAcquire()).isFalse();
    }

    @Test
    void tenRefusalsInARowExhaustTheConnectionAndASuccessForgivesThem() {
        AtomicLong now = new AtomicLong();
        PublishRate rate = new PublishRate(2, now::get);
        assertThat(rate.tryAcquire()).isTrue();
        assertThat(rate.tryAcquire()).isTrue();
        for (int i = 1; i < PublishRate.MAX_STRIKES; i++) {
            assertThat(rate.tryAcquire()).isFalse();
        }
        assertThat(rate.exhausted()).isFalse();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(rate.tryAcquire()).isTrue();
        for (int i = 1; i <= PublishRate.MAX_STRIKES; i++) {
            assertThat(rate.tryAcquire()).isFalse();
        }
        assertThat(rate.exhausted()).isTrue();
    }
}
