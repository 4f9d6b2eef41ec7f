package dev.halley.server.http;

import dev.halley.core.ReplyError;
import java.nio.charset.StandardCharsets;

/** The one JSON error shape: {@code {"error":"<code>","message":"<sentence>"}}. */
public final class ErrorBody {
    private ErrorBody() {
    }

    public static byte[] of(ReplyError error, String message) {
        StringBuilder sb = new StringBuilder(64 + message.length()).append("{\"error\":\"").append(error.code()).append("\",\"message\":");
        Json.quote(sb, message).append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
