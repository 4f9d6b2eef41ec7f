package dev.halley.server.transport.websocket;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Epochs;
import dev.halley.core.Position;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.core.SubscribeResult;
import dev.halley.server.http.Json;

/**
 * The JSON text of the frames the server sends besides messages and gap notices. Keys in this
 * order; {@code id} is the client's id as JSON text and is left out when null.
 * <pre>
 * {"id":1,"ok":true,"channel":"news","recovered":true,"epoch":"…","cursor":"…"}
 * {"id":1,"ok":true,"channel":"news","recovered":false,"gaps":["news"],"epoch":"…","cursor":"…"}
 * {"id":2,"ok":true,"channel":"news"}
 * {"id":3,"ok":true,"channel":"news","offset":19}
 * {"id":1,"error":"forbidden","message":"…"}
 * {"reconnect":true,"reason":"shutdown","cursor":"…"}
 * </pre>
 */
final class ReplyFrames {
    private ReplyFrames() {
    }

    static String subscribed(String id, String channel, SubscribeResult result, Cursor cursor) {
        StringBuilder sb = ok(id, channel).append(",\"recovered\":").append(result.recovered());
        if (!result.gaps().isEmpty()) {
            sb.append(",\"gaps\":[");
            for (int i = 0; i < result.gaps().size(); i++) {
                Json.quote(sb.append(i == 0 ? "" : ","), result.gaps().get(i));
            }
            sb.append(']');
        }
        Position at = cursor.positions().get(channel);
        if (at != null && Epochs.isValid(at.epoch())) {
            // The channel's epoch, so a client resuming with since= can send it and hear of a restart.
            Json.quote(sb.append(",\"epoch\":"), at.epoch());
        }
        return Json.quote(sb.append(",\"cursor\":"), cursor.encode()).append('}').toString();
    }

    static String unsubscribed(String id, String channel) {
        return ok(id, channel).append('}').toString();
    }

    static String published(String id, Message m) {
        return ok(id, m.channel()).append(",\"offset\":").append(m.offset()).append('}').toString();
    }

    static String error(String id, ReplyError error, String message) {
        StringBuilder sb = open(id).append("\"error\":\"").append(error.code()).append("\",\"message\":");
        return Json.quote(sb, message).append('}').toString();
    }

    /** The last frame before a close the client should resume from, e.g. on shutdown. */
    static String reconnect(CloseReason reason, Cursor cursor) {
        StringBuilder sb = new StringBuilder(64).append("{\"reconnect\":true,\"reason\":\"").append(reason.code()).append("\",\"cursor\":");
        return Json.quote(sb, cursor.encode()).append('}').toString();
    }

    private static StringBuilder ok(String id, String channel) {
        return Json.quote(open(id).append("\"ok\":true,\"channel\":"), channel);
    }

    private static StringBuilder open(String id) {
        StringBuilder sb = new StringBuilder(96).append('{');
        return id == null ? sb : sb.append("\"id\":").append(id).append(',');
    }
}
