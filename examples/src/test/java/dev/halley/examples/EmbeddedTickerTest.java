package dev.halley.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.HalleyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EmbeddedTickerTest {

    @Test
    void hostRouteAndHubPublishesShareOneServer() throws Exception {
        try (HalleyServer server = EmbeddedTicker.start(0)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> hello = http.send(HttpRequest.newBuilder(URI.create(base + "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(hello.body()).isEqualTo("hello from the host app\n");

            EmbeddedTicker.tick(server, 1);
            EmbeddedTicker.tick(server, 2);
            HttpResponse<String> poll = http.send(HttpRequest.newBuilder(URI.create(base + "/poll?channel=/ticker&since=0"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(poll.body()).contains("\"offset\":1,\"data\":{\"tick\":1}").contains("\"offset\":2,\"data\":{\"tick\":2}");
        }
    }
}
