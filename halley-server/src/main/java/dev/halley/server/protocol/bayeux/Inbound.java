package dev.halley.server.protocol.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One Bayeux message from a client, checked at the edge for its shape: an object with a string
 * {@code channel}. The other fields are read (and checked) by the handler of its channel.
 *
 * @param node the message as parsed
 * @param receivedAt when it arrived (epoch milliseconds), for the {@code timesync} extension
 */
record Inbound(ObjectNode node, long receivedAt) {
    static final String HANDSHAKE = "/meta/handshake";
    static final String CONNECT = "/meta/connect";
    static final String SUBSCRIBE = "/meta/subscribe";
    static final String UNSUBSCRIBE = "/meta/unsubscribe";
    static final String DISCONNECT = "/meta/disconnect";

    /** Reads one element of a request's array; refuses anything but an object with a string {@code channel}. */
    static Inbound of(JsonNode node, long now) {
        if (!(node instanceof ObjectNode o) || !o.path("channel").isTextual()) {
            throw new BayeuxError.Refused(BayeuxError.MESSAGE_INVALID);
        }
        return new Inbound(o, now);
    }

    String channel() {
        return node.get("channel").textValue();
    }

    /** The client's message id (a string or a number), echoed in the reply; null when absent. */
    JsonNode id() {
        JsonNode id = node.get("id");
        return id != null && (id.isTextual() || id.isNumber()) ? id : null;
    }

    /** The session the message claims, or null. */
    String clientId() {
        JsonNode c = node.get("clientId");
        return c != null && c.isTextual() ? c.textValue() : null;
    }

    boolean isMeta() {
        return channel().startsWith("/meta/");
    }

    /** {@code data}, required for a publish. */
    JsonNode data() {
        JsonNode d = node.get("data");
        if (d == null || d.isMissingNode()) {
            throw new BayeuxError.Refused(BayeuxError.MESSAGE_INVALID);
        }
        return d;
    }

    /** {@code subscription}: one channel pattern or, as CometD clients may send, an array of them. */
    List<String> subscriptions() {
        JsonNode s = node.get("subscription");
        List<String> out = new ArrayList<>();
        if (s != null && s.isTextual()) {
            out.add(s.textValue());
        } else if (s != null && s.isArray() && !s.isEmpty()) {
            for (JsonNode e : s) {
                if (!e.isTextual()) {
                    throw new BayeuxError.Refused(BayeuxError.CHANNEL_INVALID);
                }
                out.add(e.textValue());
            }
        } else {
            throw new BayeuxError.Refused(BayeuxError.CHANNEL_INVALID);
        }
        return out;
    }

    /** The handshake's {@code supportedConnectionTypes} (names as given). */
    List<String> supportedConnectionTypes() {
        List<String> out = new ArrayList<>();
        for (JsonNode t : node.path("supportedConnectionTypes")) {
            if (t.isTextual()) {
                out.add(t.textValue());
            }
        }
        return out;
    }

    /** The connect's {@code connectionType}, or null. */
    String connectionType() {
        JsonNode t = node.get("connectionType");
        return t != null && t.isTextual() ? t.textValue() : null;
    }

    /** The client's {@code advice.timeout} in milliseconds, or -1 when it gave none. */
    long adviceTimeout() {
        JsonNode t = node.path("advice").get("timeout");
        return t != null && t.canConvertToLong() && t.asLong() >= 0 ? t.asLong() : -1;
    }

    /** {@code ext.<name>}, or a missing node. */
    JsonNode ext(String name) {
        return node.path("ext").path(name);
    }
}
