package dev.halley.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real WebSocket client (the JDK's {@link WebSocket}) for tests: text messages are collected,
 * whole, into a queue; pings, pongs and the server's close are recorded. Every wait has a
 * deadline and fails with {@link TimeoutException} when it passes. The JDK answers pings with
 * pongs by itself.
 */
public final class WsClient implements AutoCloseable {
    /** Default deadline of every wait. */
    public static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The server's close frame. */
    public record Closed(int status, String reason) {
    }

    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final BlockingQueue<ByteBuffer> pings = new LinkedBlockingQueue<>();
    private final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final WebSocket ws;

    private WsClient(HttpClient http, URI uri, Map<String, String> headers) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        ws = b.buildAsync(uri, new Collector()).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Connects to {@code ws://127.0.0.1:<port>/ws}. */
    public static WsClient connect(HalleyServerExtension server) throws Exception {
        return connect(server, Map.of());
    }

    /** Connects to {@code ws://127.0.0.1:<port>/ws} with a client of its own. */
    public static WsClient connect(int port) throws Exception {
        return new WsClient(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/ws"), Map.of());
    }

    public static WsClient connect(HalleyServerExtension server, Map<String, String> headers) throws Exception {
        return new WsClient(server.http(), URI.create("ws://127.0.0.1:" + server.port() + "/ws"), headers);
    }

    /** Connects to {@code ws://127.0.0.1:<port><path>} (another door than {@code /ws}) with extra upgrade headers. */
    public static WsClient connect(HalleyServerExtension server, String path, Map<String, String> headers) throws Exception {
        return new WsClient(server.http(), URI.create("ws://127.0.0.1:" + server.port() + path), headers);
    }

    /** Sends one text message and waits until it is handed to the socket. */
    public WsClient send(String text) throws Exception {
        ws.sendText(text, true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return this;
    }

    public WsClient sendPing(ByteBuffer payload) throws Exception {
        ws.sendPing(payload).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return this;
    }

    /** The next text message. */
    public String next() throws Exception {
        return next(DEADLINE);
    }

    public String next(Duration deadline) throws Exception {
        String t = texts.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new TimeoutException("no text message within " + deadline + (closed.isDone() ? "; closed " + closed.join() : ""));
        }
        return t;
    }

    public JsonNode nextJson() throws Exception {
        return JSON.readTree(next());
    }

    /** The next ping the server sent. */
    public ByteBuffer nextPing(Duration deadline) throws Exception {
        return await(pings, deadline, "ping");
    }

    public ByteBuffer nextPong(Duration deadline) throws Exception {
        return await(pongs, deadline, "pong");
    }

    /** The server's close frame, waited for. */
    public Closed awaitClose() throws Exception {
        return closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Text messages received and not yet taken. */
    public int pending() {
        return texts.size();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").completeOnTimeout(null, 2, TimeUnit.SECONDS);
        }
        ws.abort();
    }

    private static <T> T await(BlockingQueue<T> q, Duration deadline, String what) throws Exception {
        T t = q.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new TimeoutException("no " + what + " within " + deadline);
        }
        return t;
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.add(copy(message));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pongs.add(copy(message));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            texts.add("<binary>");
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        private ByteBuffer copy(ByteBuffer b) {
            ByteBuffer c = ByteBuffer.allocate(b.remaining());
            c.put(b.duplicate()).flip();
            return c;
        }
    }
}
