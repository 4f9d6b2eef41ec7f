package dev.halley.server.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.CloseReason;
import dev.halley.core.ReplyError;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /healthz} and {@code /metrics}. */
@Timeout(30)
class AdminEndpointsTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    @Test
    void healthzIsJson() throws Exception {
        HttpResponse<String> r = server.get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        JsonNode n = Edge.JSON.readTree(r.body());
        assertThat(n.get("status").asText()).isEqualTo("ok");
        assertThat(n.get("broker").asText()).isEqualTo("memory");
        assertThat(n.get("connections").asInt()).isPositive();
        assertThat(n.get("uptimeMillis").asLong()).isNotNegative();
    }

    @Test
    void headHealthzHasNoBody() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("HEAD", "/healthz").append("\r\n").toString());
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            // The next response follows at once: the HEAD answer carried no body bytes.
            raw.get("/healthz");
            RawHttp.Head next = raw.readHead();
            assertThat(next.status()).isEqualTo(200);
            assertThat(raw.readBody(next)).startsWith("{\"status\":\"ok\"");
        }
    }

    @Test
    void metricsIsPrometheusTextWithEveryCounter() throws Exception {
        server.get("/nope");
        HttpResponse<String> r = server.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=UTF-8");
        String text = r.body();
        assertThat(text).contains("# TYPE halley_errors_total counter\n", "# TYPE halley_closes_total counter\n",
                "# TYPE halley_timeouts_total counter\n", "# TYPE halley_connections_open gauge\n",
                "# TYPE halley_messages_published_total counter\n");
        for (ReplyError e : ReplyError.values()) {
            assertThat(text).contains("halley_errors_total{code=\"" + e.code() + "\"} ");
        }
        for (CloseReason c : CloseReason.values()) {
            assertThat(text).contains("halley_closes_total{reason=\"" + c.code() + "\"} ");
        }
        for (String phase : new String[] {"headers", "body", "idle"}) {
            assertThat(text).contains("halley_timeouts_total{phase=\"" + phase + "\"} ");
        }
        assertThat(Edge.errors(server, "not_found")).isPositive();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#")) {
                assertThat(line).matches("[a-z_]+(\\{[a-z_]+=\"[^\"\\\\\\n]*\"\\})? -?\\d+");
            }
        }
    }

    @Test
    void metricsCountsConnections() throws Exception {
        long opened = Edge.counter(server, "halley_connections_opened_total");
        long open;
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/healthz");
            raw.readBody(raw.readHead());
            assertThat(Edge.counter(server, "halley_connections_opened_total")).isGreaterThan(opened);
            open = server.server().metrics().openConnections();
            assertThat(open).isPositive();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().metrics().openConnections() < open);
    }
}
