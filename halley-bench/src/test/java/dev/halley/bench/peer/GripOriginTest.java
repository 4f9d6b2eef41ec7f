package dev.halley.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Pushpin peer's origin, without Pushpin: the GRIP instructions it answers (what Pushpin acts
 * on) and the items it publishes to Pushpin's control API, here a JDK server standing in for it
 * that records each request.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GripOriginTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final BlockingQueue<String> controlBodies = new LinkedBlockingQueue<>();
    private HttpServer control;
    private GripOrigin origin;

    @BeforeEach
    void start() throws Exception {
        control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        control.createContext("/publish/", exchange -> {
            controlBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] ok = "Published\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        control.start();
        origin = GripOrigin.start(new InetSocketAddress("127.0.0.1", control.getAddress().getPort()), 30, 3);
    }

    @AfterEach
    void stop() {
        origin.close();
        control.stop(0);
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + origin.address().getPort() + pathAndQuery))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> publish(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + origin.address().getPort() + "/publish"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void longPollWithNothingAfterTheCursorIsHeldFollowingOnFromTheLastId() throws Exception {
        HttpResponse<String> r = get("/longpoll?channel=%2Fa&since=0");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Grip-Hold")).hasValue("response");
        assertThat(r.headers().firstValue("Grip-Channel")).hasValue("/a; prev-id=0");
        assertThat(r.headers().firstValue("Grip-Timeout")).hasValue("30");
        assertThat(r.body()).isEqualTo("{\"timeout\":true}\n");
    }

    @Test
    void publishNumbersKeepsAndForwardsInOrderThenAnswers() throws Exception {
        assertThat(publish("{\"channel\":\"/a\",\"data\":{\"t\":1,\"n\":1}}").statusCode()).isEqualTo(200);
        assertThat(publish("[{\"channel\":\"/a\",\"data\":{\"n\":2}},{\"channel\":\"/a\",\"data\":{\"n\":3}}]").statusCode())
                .isEqualTo(200);

        JsonNode first = JSON.readTree(controlBodies.poll(5, TimeUnit.SECONDS)).get("items").get(0);
        assertThat(first.get("channel").asText()).isEqualTo("/a");
        assertThat(first.get("id").asText()).isEqualTo("1");
        assertThat(first.get("prev-id").asText()).isEqualTo("0");
        assertThat(first.get("no-seq").asBoolean()).isTrue();
        String line = "{\"id\":1,\"channel\":\"/a\",\"data\":{\"t\":1,\"n\":1}}\n";
        assertThat(first.get("formats").get("http-response").get("body").asText()).isEqualTo(line);
        assertThat(first.get("formats").get("http-stream").get("content").asText()).isEqualTo(line);
        JsonNode next = JSON.readTree(controlBodies.poll(5, TimeUnit.SECONDS)).get("items");
        assertThat(next).extracting(i -> i.get("id").asText() + "<" + i.get("prev-id").asText()).containsExactly("2<1", "3<2");

        // A client between polls gets what it missed at once, not a hold.
        HttpResponse<String> missed = get("/longpoll?channel=%2Fa&since=1");
        assertThat(missed.headers().firstValue("Grip-Hold")).isEmpty();
        assertThat(missed.body()).isEqualTo("{\"id\":2,\"channel\":\"/a\",\"data\":{\"n\":2}}\n"
                + "{\"id\":3,\"channel\":\"/a\",\"data\":{\"n\":3}}\n");
        assertThat(get("/longpoll?channel=%2Fa&since=3").headers().firstValue("Grip-Channel")).hasValue("/a; prev-id=3");
    }

    @Test
    void historyKeepsTheLastMessagesOnlyAndCountsTheGap() throws Exception {
        for (int n = 1; n <= 5; n++) {
            assertThat(publish("{\"channel\":\"/a\",\"data\":{\"n\":" + n + "}}").statusCode()).isEqualTo(200);
        }
        assertThat(get("/longpoll?channel=%2Fa&since=0").body().lines()).hasSize(3).first().asString().startsWith("{\"id\":3,");
        assertThat(origin.stats()).containsEntry("historyGaps", 1L).containsEntry("published", 5L);
    }

    @Test
    void streamAndSseHoldsAndSseFramingOnceAnSseClientSubscribed() throws Exception {
        HttpResponse<String> stream = get("/stream?channel=%2Fa");
        assertThat(stream.headers().firstValue("Grip-Hold")).hasValue("stream");
        assertThat(stream.headers().firstValue("Grip-Channel")).hasValue("/a");
        assertThat(stream.headers().firstValue("Grip-Keep-Alive")).hasValue("\\n; format=cstring; timeout=25");

        HttpResponse<String> sse = get("/sse?channel=%2Fa");
        assertThat(sse.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(sse.headers().firstValue("Grip-Channel")).hasValue("sse:/a");

        assertThat(publish("{\"channel\":\"/a\",\"data\":{\"n\":1}}").statusCode()).isEqualTo(200);
        JsonNode items = JSON.readTree(controlBodies.poll(5, TimeUnit.SECONDS)).get("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(1).get("channel").asText()).isEqualTo("sse:/a");
        assertThat(items.get(1).get("formats").get("http-stream").get("content").asText())
                .isEqualTo("id: 1\ndata: {\"id\":1,\"channel\":\"/a\",\"data\":{\"n\":1}}\n\n");
    }

    @Test
    void publishThatIsNotAMessageIsRefused() throws Exception {
        assertThat(publish("{\"data\":1}").statusCode()).isEqualTo(400);
        assertThat(get("/longpoll").statusCode()).isEqualTo(400);
        assertThat(controlBodies).isEmpty();
    }
}
