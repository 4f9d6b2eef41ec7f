package dev.halley.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Vert.x SockJS peer over raw SockJS framing: the {@code websocket} transport with the JDK
 * WebSocket client, and {@code xhr_streaming} + {@code xhr_send} with the JDK HttpClient.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class VertxSockJsPeerTest {

    /** The bytes a client sends Halley's {@code channels} service to subscribe, and its reply. */
    private static final String SUBSCRIBE = "[\"{\\\"op\\\":\\\"subscribe\\\",\\\"channel\\\":\\\"/bench/x\\\",\\\"id\\\":1}\"]";
    private static final String SUBSCRIBED = "a[\"{\\\"id\\\":1,\\\"ok\\\":true,\\\"channel\\\":\\\"/bench/x\\\"}\"]";
    private static final String PUBLISH = "{\"channel\":\"/bench/x\",\"data\":{\"n\":7}}";
    private static final String DELIVERED = "a[\"{\\\"channel\\\":\\\"/bench/x\\\",\\\"data\\\":{\\\"n\\\":7}}\"]";

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static VertxSockJsPeer peer;

    @BeforeAll
    static void start() throws Exception {
        peer = VertxSockJsPeer.start(PeerFlags.ephemeral().with("event-loops", "2"));
    }

    @AfterAll
    static void stop() {
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void websocketSubscribePublishReceive() throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port() + sessionPath() + "/websocket"), new FrameCollector(frames))
                .get(5, TimeUnit.SECONDS);
        try {
            assertThat(next(frames)).isEqualTo("o");
            ws.sendText(SUBSCRIBE, true).get(5, TimeUnit.SECONDS);
            assertThat(next(frames)).isEqualTo(SUBSCRIBED);

            assertThat(publish(PUBLISH).statusCode()).isEqualTo(200);
            assertThat(next(frames)).isEqualTo(DELIVERED);

            // The batch form of Halley's /api/publish (the bench's --batches): each message, in order.
            assertThat(publish("[{\"channel\":\"/bench/x\",\"data\":8},{\"channel\":\"/bench/x\",\"data\":9}]").statusCode())
                    .isEqualTo(200);
            assertThat(next(frames)).isEqualTo("a[\"{\\\"channel\\\":\\\"/bench/x\\\",\\\"data\\\":8}\"]");
            assertThat(next(frames)).isEqualTo("a[\"{\\\"channel\\\":\\\"/bench/x\\\",\\\"data\\\":9}\"]");

            ws.sendText("[\"{\\\"op\\\":\\\"shout\\\",\\\"channel\\\":\\\"/bench/x\\\",\\\"id\\\":\\\"s\\\"}\"]", true)
                    .get(5, TimeUnit.SECONDS);
            assertThat(next(frames)).isEqualTo(
                    "a[\"{\\\"id\\\":\\\"s\\\",\\\"error\\\":\\\"bad_request\\\",\\\"message\\\":\\\"Unknown op 'shout'.\\\"}\"]");

            // Without an id, a subscribe gets no ok reply (as on Halley); errors always come.
            ws.sendText("[\"{\\\"op\\\":\\\"subscribe\\\",\\\"channel\\\":\\\"nope\\\"}\"]", true).get(5, TimeUnit.SECONDS);
            assertThat(next(frames)).isEqualTo(
                    "a[\"{\\\"error\\\":\\\"bad_channel\\\",\\\"message\\\":\\\"'channel' must start with '/'.\\\"}\"]");
        } finally {
            ws.abort();
        }
    }

    @Test
    void xhrStreamingSubscribePublishReceive() throws Exception {
        String session = sessionPath();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        LineCollector collector = new LineCollector(lines);
        CompletableFuture<Integer> status = new CompletableFuture<>();
        HTTP.sendAsync(HttpRequest.newBuilder(base().resolve(session + "/xhr_streaming"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                info -> {
                    // The response future completes only with the body; the status is known at the headers.
                    status.complete(info.statusCode());
                    return HttpResponse.BodySubscribers.fromLineSubscriber(collector);
                });
        try {
            assertThat(status.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            // SockJS's prelude: 2048 'h' so that old browsers start handing the stream to script.
            assertThat(next(lines)).isEqualTo("h".repeat(2048));
            assertThat(next(lines)).isEqualTo("o");

            HttpResponse<String> sent = HTTP.send(HttpRequest.newBuilder(base().resolve(session + "/xhr_send"))
                    .timeout(Duration.ofSeconds(5)).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(SUBSCRIBE)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(sent.statusCode()).isEqualTo(204);
            assertThat(next(lines)).isEqualTo(SUBSCRIBED);

            assertThat(publish(PUBLISH).statusCode()).isEqualTo(200);
            assertThat(next(lines)).isEqualTo(DELIVERED);
        } finally {
            collector.cancel();
        }
    }

    @Test
    void publishWithoutSubscribersAndBadPublish() throws Exception {
        assertThat(publish("{\"channel\":\"/nobody\",\"data\":1}").statusCode()).isEqualTo(200);
        assertThat(publish("{\"channel\":\"x\",\"data\":1}").statusCode()).isEqualTo(400);
        assertThat(publish("[]").statusCode()).isEqualTo(400);
    }

    @Test
    void healthz() throws Exception {
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(base().resolve("/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"ok\":true}");
    }

    private static String next(BlockingQueue<String> queue) throws InterruptedException {
        String value = queue.poll(5, TimeUnit.SECONDS);
        assertThat(value).as("frame within 5 s").isNotNull();
        return value;
    }

    private static HttpResponse<String> publish(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base().resolve("/publish"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /sockjs/channels/<server>/<session>} with a fresh session id. */
    private static String sessionPath() {
        return "/sockjs/channels/000/" + UUID.randomUUID().toString().replace("-", "");
    }

    private static int port() {
        return peer.address().getPort();
    }

    private static URI base() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Whole text messages of a WebSocket, in order; the JDK calls one listener sequentially. */
    private static final class FrameCollector implements WebSocket.Listener {
        private final BlockingQueue<String> frames;
        private final StringBuilder partial = new StringBuilder();

        FrameCollector(BlockingQueue<String> frames) {
            this.frames = frames;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            frames.add("unexpected binary frame");
            ws.request(1);
            return null;
        }
    }

    /** Lines of a streaming response body, as they arrive. */
    private static final class LineCollector implements Flow.Subscriber<String> {
        private final BlockingQueue<String> lines;
        private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

        LineCollector(BlockingQueue<String> lines) {
            this.lines = lines;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            lines.add(line);
        }

        @Override
        public void onError(Throwable failure) {
            lines.add("stream failed: " + failure);
        }

        @Override
        public void onComplete() {
            lines.add("stream ended");
        }

        void cancel() {
            subscription.thenAccept(Flow.Subscription::cancel);
        }
    }
}
