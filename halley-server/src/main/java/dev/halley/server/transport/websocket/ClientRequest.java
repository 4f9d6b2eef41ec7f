package dev.halley.server.transport.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.ChannelPattern;
import dev.halley.core.Cursor;
import dev.halley.core.Epochs;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.core.Resume;
import dev.halley.server.ServerContext;
import dev.halley.server.api.Publishing;
import dev.halley.server.http.Json;

/**
 * One request frame a client sends over {@code /ws}, read and checked at the edge (syntax only;
 * the channel policy and limits are the handler's to apply):
 * <pre>
 * {"op":"subscribe","channel":"news","since":17,"epoch":"…","id":1}   (or "cursor":"…"; neither = live)
 * {"op":"unsubscribe","channel":"news","id":2}
 * {"op":"publish","channel":"news","data":{…},"id":3}
 * </pre>
 * {@code id} is optional: a whole number or a string of at most {@value #MAX_ID_LENGTH}
 * characters, echoed in the reply.
 */
sealed interface ClientRequest {
    /** Longest string id accepted. */
    int MAX_ID_LENGTH = 128;

    /** The request's id as JSON text, ready to echo (a number, or a quoted string), or null. */
    String id();

    /** Follow {@code pattern} from {@code resume}. */
    record Subscribe(String id, ChannelPattern pattern, Resume resume) implements ClientRequest {
    }

    /** Stop following {@code pattern}. */
    record Unsubscribe(String id, ChannelPattern pattern) implements ClientRequest {
    }

    /** Publish one message. */
    record Publish(String id, Publishing.Item item) implements ClientRequest {
    }

    /**
     * The {@code id} of a parsed frame as JSON text, or null when it has none; fails with
     * {@link ReplyError#BAD_REQUEST} for an id of another type (the error reply then has no id).
     */
    static String idOf(JsonNode frame) {
        JsonNode id = frame.isObject() ? frame.get("id") : null;
        if (id == null || id.isNull()) {
            return null;
        }
        if (id.isIntegralNumber() && id.canConvertToLong()) {
            return Long.toString(id.longValue());
        }
        if (id.isTextual() && id.textValue().length() <= MAX_ID_LENGTH) {
            return Json.quote(new StringBuilder(id.textValue().length() + 2), id.textValue()).toString();
        }
        throw new HalleyException(ReplyError.BAD_REQUEST,
                "\"id\" must be a whole number or a string of at most " + MAX_ID_LENGTH + " characters.");
    }

    /** Reads a frame whose id was already taken with {@link #idOf}. */
    static ClientRequest parse(JsonNode frame, String id, ServerContext server) {
        if (!frame.isObject()) {
            throw new HalleyException(ReplyError.BAD_JSON, "A request is a JSON object with an \"op\".");
        }
        JsonNode op = frame.get("op");
        String name = op != null && op.isTextual() ? op.textValue() : "";
        return switch (name) {
            case "subscribe" -> new Subscribe(id, pattern(frame), resume(frame));
            case "unsubscribe" -> new Unsubscribe(id, pattern(frame));
            case "publish" -> new Publish(id, Publishing.item(server, frame));
            default -> throw new HalleyException(ReplyError.BAD_REQUEST, "\"op\" must be subscribe, unsubscribe or publish.");
        };
    }

    private static ChannelPattern pattern(JsonNode frame) {
        JsonNode channel = frame.get("channel");
        if (channel == null || !channel.isTextual()) {
            throw new HalleyException(ReplyError.BAD_CHANNEL, "\"channel\" must be a string.");
        }
        return ChannelPattern.parse(channel.textValue());
    }

    /** {@code cursor} wins over {@code since}, as on the HTTP transports. */
    private static Resume resume(JsonNode frame) {
        JsonNode cursor = frame.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            if (!cursor.isTextual()) {
                throw new HalleyException(ReplyError.BAD_CURSOR, "\"cursor\" must be a string returned by the server.");
            }
            return new Resume.From(Cursor.decode(cursor.textValue()));
        }
        JsonNode since = frame.get("since");
        if (since == null || since.isNull()) {
            return Resume.LIVE;
        }
        if (!since.isIntegralNumber() || !since.canConvertToLong() || since.longValue() < 0) {
            throw new HalleyException(ReplyError.BAD_CURSOR, "\"since\" must be an offset: a whole number >= 0.");
        }
        return new Resume.Since(since.longValue(), epoch(frame.get("epoch")));
    }

    private static String epoch(JsonNode epoch) {
        if (epoch == null || epoch.isNull()) {
            return null;
        }
        if (!epoch.isTextual() || !Epochs.isValid(epoch.textValue())) {
            throw new HalleyException(ReplyError.BAD_CURSOR, "\"epoch\" is not a valid epoch.");
        }
        return epoch.textValue();
    }
}
