package dev.halley.bench.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a peer's {@code POST /publish}: {@code {"channel":"/x","data":…}}, the shape of one
 * message to Halley's {@code /api/publish}, so the generator injects the same way into every server.
 *
 * @param channel the channel, starting with {@code /}
 * @param data    any JSON value
 */
public record PublishRequest(String channel, JsonNode data) {

    /** Largest body accepted; the bench's messages are tens of bytes. */
    public static final int MAX_BODY = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses a body.
     *
     * @throws IllegalArgumentException with a message for the 400 reply when the body is not such an object
     */
    public static PublishRequest parse(byte[] body) {
        return of(tree(body));
    }

    /**
     * Parses a body holding one message, or an array of them (the batch form of Halley's
     * {@code /api/publish}, which the bench's {@code --batches} sends), in order.
     *
     * @throws IllegalArgumentException with a message for the 400 reply when the body is neither
     */
    public static List<PublishRequest> parseAll(byte[] body) {
        JsonNode root = tree(body);
        if (root == null || !root.isArray()) {
            return List.of(of(root));
        }
        if (root.isEmpty()) {
            throw new IllegalArgumentException("An array of messages must not be empty");
        }
        List<PublishRequest> all = new ArrayList<>(root.size());
        root.forEach(message -> all.add(of(message)));
        return all;
    }

    private static JsonNode tree(byte[] body) {
        if (body.length > MAX_BODY) {
            throw new IllegalArgumentException("Body larger than " + MAX_BODY + " bytes");
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Body is not JSON");
        }
    }

    private static PublishRequest of(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("Body must be a JSON object {\"channel\",\"data\"}");
        }
        JsonNode channel = root.get("channel");
        if (channel == null || !channel.isTextual() || !channel.asText().startsWith("/")) {
            throw new IllegalArgumentException("'channel' must be a string starting with '/'");
        }
        JsonNode data = root.get("data");
        if (data == null) {
            throw new IllegalArgumentException("'data' is required");
        }
        return new PublishRequest(channel.asText(), data);
    }

    /** The message as subscribers of the SockJS peer receive it: {@code {"channel":…,"data":…}}. */
    public String toMessageJson() {
        ObjectNode message = JSON.createObjectNode();
        message.put("channel", channel);
        message.set("data", data);
        try {
            return JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A parsed tree always serialises", e);
        }
    }

    /** The data as plain Java values (maps, lists, strings, numbers), as CometD's JSON context expects. */
    public Object dataAsJava() {
        try {
            return JSON.treeToValue(data, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A parsed tree always converts", e);
        }
    }
}
