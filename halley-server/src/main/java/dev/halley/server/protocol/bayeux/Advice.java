package dev.halley.server.protocol.bayeux;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code advice} a reply carries (Bayeux §2.5): what the client does next. CometD's clients
 * replace their whole advice with each one received, so every advice here is complete.
 *
 * @param reconnect {@code retry} (send the next {@code /meta/connect}), {@code handshake} (the
 *        session is gone: handshake again) or {@code none} (stop)
 * @param interval milliseconds the client waits before its next {@code /meta/connect}
 * @param timeout milliseconds the server holds a {@code /meta/connect} when nothing is to deliver
 * @param maxInterval milliseconds the session outlives the end of a {@code /meta/connect} without the next
 * @param multipleClients another tab of the same browser holds the one long-poll its connections allow:
 *        this one polls every {@code interval} instead
 */
record Advice(String reconnect, long interval, long timeout, long maxInterval, boolean multipleClients) {
    static final String RETRY = "retry";
    static final String HANDSHAKE = "handshake";
    static final String NONE = "none";

    /** Handshake again, at once: for a session the server does not know (any more). */
    static Advice handshake(long interval) {
        return new Advice(HANDSHAKE, interval, -1, -1, false);
    }

    ObjectNode toJson() {
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        a.put("reconnect", reconnect);
        a.put("interval", interval);
        if (timeout >= 0) {
            a.put("timeout", timeout);
        }
        if (maxInterval >= 0) {
            a.put("maxInterval", maxInterval);
        }
        if (multipleClients) {
            a.put("multiple-clients", true);
        }
        return a;
    }
}
