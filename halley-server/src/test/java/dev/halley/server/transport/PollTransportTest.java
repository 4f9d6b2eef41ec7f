package dev.halley.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(30)
class PollTransportTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pollAnswersAtOnceWithExactBytes() throws Exception {
        server.publish("/poll/exact", "{\"n\":1}");
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=/poll/exact&since=0");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-type")).isEqualTo("application/json; charset=UTF-8");
            assertThat(head.header("cache-control")).contains("no-store");
            String body = raw.readBody(head);
            JsonNode n = JSON.readTree(body);
            String time = n.at("/messages/0/time").asText();
            assertThat(body).startsWith("{\"messages\":[{\"channel\":\"/poll/exact\",\"offset\":1,\"data\":{\"n\":1},\"time\":" + time + "}],\"cursor\":\"")
                    .endsWith("\",\"recovered\":true}");
        }
    }

    @Test
    void longPollHoldsUntilAMessageThenResumesFromCursor() throws Exception {
        HttpResponse<String> first = server.get("/poll?channel=/lp/a");
        String cursor = JSON.readTree(first.body()).get("cursor").asText();
        CompletableFuture<HttpResponse<String>> held = server.http().sendAsync(
                java.net.http.HttpRequest.newBuilder(server.uri("/longpoll?channel=/lp/a&timeout=20&cursor=" + cursor)).build(),
                HttpResponse.BodyHandlers.ofString());
        server.publish("/lp/a", "\"hello\"");
        JsonNode got = JSON.readTree(held.get(10, TimeUnit.SECONDS).body());
        assertThat(got.get("messages")).hasSize(1);
        assertThat(got.at("/messages/0/data").asText()).isEqualTo("hello");
        assertThat(got.get("recovered").asBoolean()).isTrue();
    }

    @Test
    void longPollTimesOutWithAnEmptyList() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = server.get("/longpoll?channel=/lp/quiet&timeout=0.5");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("messages")).isEmpty();
        assertThat(ms).isGreaterThanOrEqualTo(400);
    }

    @Test
    void jsonpWrapsTheBatch() throws Exception {
        server.publish("/jsonp/a", "\"\u2028x\"");
        HttpResponse<String> r = server.get("/poll?channel=/jsonp/a&since=0&callback=jQuery_1.cb");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/javascript; charset=UTF-8");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(r.body()).startsWith("/**/jQuery_1.cb({\"messages\":[").endsWith("});").contains("\\u2028x");
    }

    @Test
    void gapIsReportedWhenSinceIsAheadOfTheChannel() throws Exception {
        server.publish("/gap/a", "1");
        HttpResponse<String> r = server.get("/poll?channel=/gap/a&since=50");
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.get("recovered").asBoolean()).isFalse();
        assertThat(n.get("gaps").get(0).asText()).isEqualTo("/gap/a");
        assertThat(n.get("messages")).hasSize(1);
    }
}
