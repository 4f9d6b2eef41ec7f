package dev.halley.server.transport.stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One parsed item of a stream, whatever the transport.
 *
 * @param kind message, gap, cursor, heartbeat or reconnect
 * @param json the object (the message, the gap notice, the control object); null for SSE heartbeats and id-only events
 * @param resume the cursor this item gives the client to resume from (cursor objects, SSE ids, reconnect notices), or null
 * @param raw the exact bytes of the frame
 */
record StreamItem(Kind kind, JsonNode json, String resume, String raw) {
    enum Kind { MESSAGE, GAP, CURSOR, HEARTBEAT, RECONNECT }

    static StreamItem ofJson(JsonNode json, String sseId, String raw) {
        if (json.has("offset")) {
            return new StreamItem(Kind.MESSAGE, json, sseId, raw);
        }
        if (json.has("recovered")) {
            return new StreamItem(Kind.GAP, json, null, raw);
        }
        if (json.has("reconnect")) {
            return new StreamItem(Kind.RECONNECT, json, json.get("cursor").asText(), raw);
        }
        if (json.has("heartbeat")) {
            return new StreamItem(Kind.HEARTBEAT, json, null, raw);
        }
        if (json.has("cursor") && json.size() == 1) {
            return new StreamItem(Kind.CURSOR, json, json.get("cursor").asText(), raw);
        }
        throw new AssertionError("unexpected object " + json);
    }

    static StreamItem heartbeat(String raw) {
        return new StreamItem(Kind.HEARTBEAT, null, null, raw);
    }

    static StreamItem cursor(String id, String raw) {
        return new StreamItem(Kind.CURSOR, null, id, raw);
    }

    static StreamItem reconnect(String reason, String cursor, String raw) {
        return new StreamItem(Kind.RECONNECT, Wire.JSON.createObjectNode().put("reason", reason).put("cursor", cursor), cursor, raw);
    }

    long offset() {
        return json.get("offset").asLong();
    }

    String reason() {
        return json.get("reason").asText();
    }
}
