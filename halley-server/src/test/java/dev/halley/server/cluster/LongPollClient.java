package dev.halley.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A native long-poll client as a browser runs it: one request at a time, each from the cursor
 * the last answer gave, to whichever node it is pointed at (no session, so any node will do).
 * Keeps every message and every answer's {@code recovered} flag.
 */
final class LongPollClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String channel;
    private final long since;
    private String cursor;
    final List<JsonNode> messages = new ArrayList<>();
    /** One entry per answered poll that said {@code recovered:false}: the index in {@link #messages} where its messages start. */
    final List<Integer> gaps = new ArrayList<>();
    int failures;

    /** Follows {@code channel} from after offset {@code since}. */
    LongPollClient(String channel, long since) {
        this.channel = channel;
        this.since = since;
    }

    /**
     * One long-poll on {@code port} (held up to 1 s). Returns the HTTP status, or -1 when the node
     * could not be reached; on 200 the cursor moves on.
     */
    int poll(int port) {
        String q = "?channel=" + URLEncoder.encode(channel, StandardCharsets.UTF_8) + "&timeout=1"
                + (cursor != null ? "&cursor=" + cursor : "&since=" + since);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/longpoll" + q))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                failures++;
                return r.statusCode();
            }
            JsonNode body = JSON.readTree(r.body());
            if (!body.get("recovered").asBoolean()) {
                gaps.add(messages.size());
            }
            body.get("messages").forEach(messages::add);
            cursor = body.get("cursor").asText();
            return 200;
        } catch (Exception e) {
            failures++;
            return -1;
        }
    }

    String cursor() {
        return cursor;
    }

    long lastOffset() {
        return messages.isEmpty() ? 0 : messages.get(messages.size() - 1).get("offset").asLong();
    }

    List<Long> offsets() {
        return messages.stream().map(m -> m.get("offset").asLong()).toList();
    }
}
