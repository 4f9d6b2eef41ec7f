package dev.halley.server.alltransports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.WsClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal client of one native transport, enough to tell what a real client would see: it
 * subscribes to one channel from a cursor (or live) and turns whatever the wire carries into
 * JSON objects — messages ({@code offset}), gap notices ({@code recovered:false}), cursors,
 * heartbeats, reconnect notices — keeping the latest resume point. Polling clients re-poll by
 * themselves with the latest cursor, as a browser would.
 */
abstract class TransportClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    protected final int port;
    protected final String channel;
    protected final Long since;
    protected String cursor;
    /** The offset of the last message taken. */
    protected Long lastOffset;
    protected final ArrayDeque<JsonNode> pending = new ArrayDeque<>();

    TransportClient(int port, String channel, Long since) {
        this.port = port;
        this.channel = channel;
        this.since = since;
    }

    /** Subscribes to {@code channel} over {@code t}, after offset {@code since} (null: live only). */
    static TransportClient open(Transport t, int port, String channel, Long since) throws Exception {
        TransportClient c = create(t, port, channel, since);
        c.start();
        return c;
    }

    /**
     * The same subscription opened on another node ({@code port}) from where {@code from} stands:
     * its cursor, or for WebSocket (which resumes by offset) its last offset.
     */
    static TransportClient moveTo(Transport t, TransportClient from, int port) throws Exception {
        // A batch's cursor follows its messages (same chunk or answer): take it before leaving.
        while (!from.pending.isEmpty() && !from.pending.peek().has("offset") && !from.pending.peek().has("recovered")) {
            from.next(Duration.ofSeconds(1));
        }
        TransportClient c = create(t, port, from.channel, t == Transport.WEBSOCKET ? from.lastOffset : null);
        c.cursor = t == Transport.WEBSOCKET ? null : from.cursor;
        c.start();
        return c;
    }

    private static TransportClient create(Transport t, int port, String channel, Long since) {
        Long sinceArg = since;
        return switch (t) {
            case POLLING -> new Polling(port, channel, sinceArg, "/poll", null);
            case LONG_POLLING -> new Polling(port, channel, sinceArg, "/longpoll", null);
            case JSONP_POLLING -> new Polling(port, channel, sinceArg, "/poll", "cb");
            case JSONP_LONG_POLLING -> new Polling(port, channel, sinceArg, "/longpoll", "parent.cb_1");
            case XHR_STREAMING -> new Ndjson(port, channel, sinceArg);
            case FOREVER_FRAME -> new ScriptStream(port, channel, sinceArg, "/iframe");
            case HTMLFILE -> new ScriptStream(port, channel, sinceArg, "/htmlfile");
            case SSE -> new Sse(port, channel, sinceArg);
            case WEBSOCKET -> new Ws(port, channel, sinceArg);
        };
    }

    abstract void start() throws Exception;

    /** Reads more from the wire into {@link #pending}; blocks up to the deadline. */
    abstract void receive(Duration deadline) throws Exception;

    /** The next object, waiting up to {@code deadline}. */
    JsonNode next(Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (pending.isEmpty()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("nothing arrived within " + deadline + " on " + getClass().getSimpleName());
            }
            receive(Duration.ofNanos(left));
        }
        JsonNode n = pending.poll();
        if (n.has("cursor") && n.get("cursor").isTextual()) {
            cursor = n.get("cursor").asText();
        }
        if (n.has("offset")) {
            lastOffset = n.get("offset").asLong();
        }
        return n;
    }

    /** The next message (skipping cursors and heartbeats), or fails at the deadline. */
    JsonNode nextMessage(Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            JsonNode n = next(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
            if (n.has("offset") || n.has("recovered")) {
                return n;
            }
        }
    }

    /** Where to resume: the latest cursor this client saw. */
    String cursor() {
        return cursor;
    }

    protected String query() {
        StringBuilder q = new StringBuilder("?channel=").append(URLEncoder.encode(channel, StandardCharsets.UTF_8));
        if (cursor != null) {
            q.append("&cursor=").append(cursor);
        } else if (since != null) {
            q.append("&since=").append(since);
        }
        return q.toString();
    }

    protected void addJson(String text) throws IOException {
        JsonNode n = JSON.readTree(text);
        if (n.has("messages")) {
            // A batch: gaps first (their notices precede the replay), then messages, then the cursor.
            if (n.has("gaps")) {
                for (JsonNode g : n.get("gaps")) {
                    pending.add(JSON.createObjectNode().put("channel", g.asText()).put("recovered", false));
                }
            }
            n.get("messages").forEach(pending::add);
            pending.add(JSON.createObjectNode().put("cursor", n.get("cursor").asText()));
        } else {
            pending.add(n);
        }
    }

    /** poll / longpoll, JSON or JSONP: one request per receive, re-polling with the latest cursor. */
    static final class Polling extends TransportClient {
        private final String path;
        private final String callback;

        Polling(int port, String channel, Long since, String path, String callback) {
            super(port, channel, since);
            this.path = path;
            this.callback = callback;
        }

        @Override
        void start() {
        }

        @Override
        void receive(Duration deadline) throws Exception {
            try (RawHttp raw = new RawHttp(port, deadline.plusSeconds(1))) {
                String q = query() + (path.equals("/longpoll") ? "&timeout=" + Math.max(0.1, Math.min(5, deadline.toMillis() / 1000.0)) : "");
                raw.get(path + q + (callback == null ? "" : "&callback=" + callback));
                RawHttp.Head head = raw.readHead();
                String body = raw.readBody(head);
                if (head.status() != 200) {
                    throw new AssertionError(path + " answered " + head.status() + ": " + body);
                }
                if (callback != null) {
                    String prefix = "/**/" + callback + "(";
                    if (!body.startsWith(prefix) || !body.endsWith(");")) {
                        throw new AssertionError("not JSONP for " + callback + ": " + body);
                    }
                    body = body.substring(prefix.length(), body.length() - 2);
                }
                addJson(body);
            }
        }

        @Override
        public void close() {
        }
    }

    /**
     * A chunked stream over a raw socket: subscribes with a GET, then turns each chunk into
     * objects with {@link #parse}; when the server ends the stream (byte budget) it re-opens
     * from the latest cursor, as browsers do.
     */
    abstract static class ChunkedStream extends TransportClient {
        protected final StringBuilder buffer = new StringBuilder();
        private RawHttp raw;

        ChunkedStream(int port, String channel, Long since) {
            super(port, channel, since);
        }

        /** The request path with its query. */
        abstract String target();

        /** Moves the complete frames at the start of {@link #buffer} into {@link #pending}. */
        abstract void parse() throws IOException;

        @Override
        void start() throws Exception {
            buffer.setLength(0);
            raw = new RawHttp(port);
            raw.get(target());
            RawHttp.Head head = raw.readHead();
            if (head.status() != 200) {
                throw new AssertionError(target() + " answered " + head.status());
            }
        }

        @Override
        void receive(Duration deadline) throws Exception {
            raw.setDeadline(deadline);
            byte[] chunk = raw.readChunk();
            if (chunk == null) {
                reopen();
                return;
            }
            buffer.append(new String(chunk, StandardCharsets.UTF_8));
            parse();
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    /** XHR streaming: NDJSON lines. */
    static final class Ndjson extends ChunkedStream {
        Ndjson(int port, String channel, Long since) {
            super(port, channel, since);
        }

        @Override
        String target() {
            return "/stream" + query();
        }

        @Override
        void parse() throws IOException {
            int nl;
            while ((nl = buffer.indexOf("\n")) >= 0) {
                String line = buffer.substring(0, nl).trim();
                buffer.delete(0, nl + 1);
                if (!line.isEmpty()) {
                    addJson(line);
                }
            }
        }
    }

    /** Forever frame and htmlfile: the argument of each callback call in a script block. */
    static final class ScriptStream extends ChunkedStream {
        private static final Pattern CALL = Pattern.compile("<script>\\s*(?:parent\\.cb|p)\\((.*?)\\);?\\s*</script>", Pattern.DOTALL);
        private final String path;

        ScriptStream(int port, String channel, Long since, String path) {
            super(port, channel, since);
            this.path = path;
        }

        @Override
        String target() {
            return path + query() + "&callback=parent.cb";
        }

        @Override
        void parse() throws IOException {
            Matcher m = CALL.matcher(buffer);
            int consumed = 0;
            while (m.find()) {
                addJson(m.group(1));
                consumed = m.end();
            }
            buffer.delete(0, consumed);
        }
    }

    /** Server-Sent Events: events with data lines; the id of an event is the cursor. */
    static final class Sse extends ChunkedStream {
        Sse(int port, String channel, Long since) {
            super(port, channel, since);
        }

        @Override
        String target() {
            return "/sse" + query();
        }

        @Override
        void parse() throws IOException {
            int end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
                String event = buffer.substring(0, end);
                buffer.delete(0, end + 2);
                String type = "message";
                StringBuilder data = new StringBuilder();
                for (String line : event.split("\n")) {
                    if (line.startsWith("id: ")) {
                        cursor = line.substring(4);
                    } else if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        data.append(data.length() == 0 ? "" : "\n").append(line.substring(6));
                    }
                }
                if (data.length() > 0) {
                    JsonNode n = JSON.readTree(data.toString());
                    if (type.equals("reconnect")) {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) n).put("reconnect", true);
                    }
                    pending.add(n);
                } else if (event.startsWith(":") && event.contains("hb")) {
                    pending.add(JSON.createObjectNode().put("heartbeat", true));
                }
            }
        }
    }

    /** WebSocket with the JDK client: subscribe (with since), collect text frames. */
    static final class Ws extends TransportClient {
        private WsClient ws;

        Ws(int port, String channel, Long since) {
            super(port, channel, since);
        }

        @Override
        void start() throws Exception {
            ws = WsClient.connect(port);
            ws.send("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1"
                    + (since == null ? "" : ",\"since\":" + since) + "}");
            JsonNode reply = next(Duration.ofSeconds(5));
            if (!reply.path("ok").asBoolean()) {
                throw new AssertionError("subscribe refused: " + reply);
            }
        }

        @Override
        void receive(Duration deadline) throws Exception {
            try {
                pending.add(JSON.readTree(ws.next(deadline)));
            } catch (TimeoutException e) {
                // Nothing yet; the caller's deadline decides.
            }
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    /** Counts how often the server ended a stream and the client re-opened it with its cursor. */
    int reopened;

    /** The server ended the stream (byte budget): re-open it from the latest cursor, as browsers do. */
    protected void reopen() throws Exception {
        close();
        reopened++;
        start();
    }

    static List<JsonNode> drain(TransportClient c, int messages, Duration deadline) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        long end = System.nanoTime() + deadline.toNanos();
        while (out.size() < messages) {
            out.add(c.nextMessage(Duration.ofNanos(Math.max(1, end - System.nanoTime()))));
        }
        return out;
    }
}
