package dev.halley.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.ChannelName;
import dev.halley.core.HalleyException;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turning publish requests into hub publishes, shared by every door: validation of the
 * {@code {"channel":…,"data":…}} shape, the reserved namespaces, and in-order publishing of batches.
 */
public final class Publishing {
    /** Messages one batch may hold. */
    public static final int MAX_BATCH = 1000;

    private Publishing() {
    }

    /** One message to publish: a checked channel and the {@code data} as compact JSON bytes. */
    public record Item(String channel, byte[] data) {
    }

    /** Reads one {@code {"channel":…,"data":…}} object. */
    public static Item item(ServerContext server, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new HalleyException(ReplyError.BAD_JSON, "A message is an object {\"channel\":…,\"data\":…}.");
        }
        JsonNode channel = node.get("channel");
        if (channel == null || !channel.isTextual()) {
            throw new HalleyException(ReplyError.BAD_CHANNEL, "\"channel\" must be a string.");
        }
        String name = ChannelName.check(channel.textValue());
        if (name.startsWith("/meta/")) {
            throw new HalleyException(ReplyError.FORBIDDEN, "The /meta/ namespace is reserved.");
        }
        JsonNode data = node.get("data");
        if (data == null) {
            throw new HalleyException(ReplyError.BAD_JSON, "\"data\" is required (any JSON value).");
        }
        return new Item(name, server.json().bytes(data));
    }

    /** Reads a single message, a {@code {"messages":[…]}} batch or a bare array. */
    public static List<Item> items(ServerContext server, JsonNode body) {
        JsonNode list = body.isArray() ? body : body.isObject() && body.has("messages") ? body.get("messages") : null;
        if (list == null) {
            return List.of(item(server, body));
        }
        if (!list.isArray() || list.isEmpty()) {
            throw new HalleyException(ReplyError.BAD_JSON, "\"messages\" must be a non-empty array.");
        }
        if (list.size() > MAX_BATCH) {
            throw new HalleyException(ReplyError.TOO_LARGE, "A batch holds at most " + MAX_BATCH + " messages.");
        }
        List<Item> items = new ArrayList<>(list.size());
        for (JsonNode n : list) {
            items.add(item(server, n));
        }
        return items;
    }

    /** Publishes {@code items} one after another (so a batch keeps its order per channel). */
    public static CompletionStage<List<Message>> publishAll(ServerContext server, List<Item> items) {
        CompletionStage<List<Message>> chain = CompletableFuture.completedFuture(new ArrayList<>(items.size()));
        for (Item item : items) {
            chain = chain.thenCompose(done -> server.hub().publish(item.channel(), item.data()).thenApply(m -> {
                done.add(m);
                return done;
            }));
        }
        return chain.thenApply(done -> {
            server.metrics().published(done.size());
            return done;
        });
    }

    /** {@code {"channel":"news","offset":19}}. */
    public static String reply(Message m) {
        return "{\"channel\":\"" + m.channel() + "\",\"offset\":" + m.offset() + "}";
    }
}
