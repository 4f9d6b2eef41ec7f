package dev.halley.server.protocol.bayeux;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.halley.core.Message;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server's side of the Bayeux wire: replies to client messages, hub messages as Bayeux
 * deliveries, and the JSON arrays that carry them.
 *
 * <p>A delivery is {@code {"channel":"/chat/room1","data":…}}: it carries {@code data} and a
 * reply never does, which is how CometD's clients tell them apart. It is encoded once per
 * message and shared by every Bayeux subscriber ({@link Message#encoding}).
 */
final class Replies {
    private static final Message.Slot<byte[]> DELIVERY = new Message.Slot<>();
    private static final ObjectMapper WRITER = new ObjectMapper();

    private Replies() {
    }

    /** {@code {"channel":…,"data":…}} of a hub message, built once per message. */
    static byte[] delivery(Message m) {
        return m.encoding(DELIVERY, msg -> {
            byte[] head = ("{\"channel\":\"" + msg.channel() + "\",\"data\":").getBytes(StandardCharsets.US_ASCII);
            byte[] data = msg.data();
            byte[] out = new byte[head.length + data.length + 1];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(data, 0, out, head.length, data.length);
            out[out.length - 1] = '}';
            return out;
        });
    }

    /** A successful reply to {@code m}: its channel and id, the session for meta channels. */
    static ObjectNode success(Inbound m, String clientId) {
        ObjectNode r = skeleton(m.channel(), m.id());
        if (clientId != null && m.isMeta()) {
            r.put("clientId", clientId);
        }
        r.put("successful", true);
        return r;
    }

    /** An unsuccessful reply to {@code m}; a {@code session_unknown} one advises to handshake again. */
    static ObjectNode failure(Inbound m, BayeuxError error) {
        return failure(m.channel(), m.id(), error);
    }

    /** An unsuccessful reply to a message whose channel may not even be readable. */
    static ObjectNode failure(String channel, JsonNode id, BayeuxError error) {
        ObjectNode r = skeleton(channel, id);
        r.put("successful", false);
        r.put("error", error.wire());
        switch (error) {
            case SESSION_UNKNOWN -> r.set("advice", Advice.handshake(0).toJson());
            // Not at once: the server is going away, or full.
            case SHUTTING_DOWN -> r.set("advice", Advice.handshake(1000).toJson());
            case TOO_MANY_SESSIONS -> r.set("advice", Advice.handshake(5000).toJson());
            default -> {
            }
        }
        return r;
    }

    private static ObjectNode skeleton(String channel, JsonNode id) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        if (channel != null) {
            r.put("channel", channel);
        }
        if (id != null) {
            r.set("id", id);
        }
        return r;
    }

    /** {@code reply.ext}, made when absent. */
    static ObjectNode ext(ObjectNode reply) {
        JsonNode e = reply.get("ext");
        return e instanceof ObjectNode o ? o : reply.putObject("ext");
    }

    /**
     * The {@code timesync} extension: when {@code m} carried {@code ext.timesync.tc} (client send
     * time), the reply tells when the server received it ({@code ts}), how long it held it ({@code p})
     * and how far the client's estimate was off ({@code a = tc + o + l - ts}).
     */
    static void timesync(ObjectNode reply, Inbound m, long now) {
        JsonNode t = m.ext("timesync");
        if (!t.path("tc").canConvertToLong()) {
            return;
        }
        long tc = t.path("tc").asLong();
        long ts = m.receivedAt();
        ObjectNode out = ext(reply).putObject("timesync");
        out.put("tc", tc);
        out.put("ts", ts);
        out.put("p", Math.max(0, now - ts));
        out.put("a", tc + t.path("o").asLong(0) + t.path("l").asLong(0) - ts);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return WRITER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code [p1,p2,…]}: JSON values already encoded. */
    static byte[] array(List<byte[]> parts) {
        int size = 2 + parts.size();
        for (byte[] p : parts) {
            size += p.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write('[');
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(parts.get(i));
        }
        out.write(']');
        return out.toByteArray();
    }
}
