package dev.halley.server.transport.stream;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import java.nio.charset.StandardCharsets;

/**
 * The control objects of the native streams (NDJSON, iframe, htmlfile), as compact JSON bytes:
 * {@code {"cursor":"…"}}, {@code {"heartbeat":true}} and
 * {@code {"reconnect":true,"reason":"…","cursor":"…"}}. Gap notices are {@link dev.halley.core.Gap#json()}.
 * Cursors are URL-safe base64 and reasons are fixed codes, so nothing here needs escaping.
 */
public final class ControlFrames {
    private static final byte[] HEARTBEAT = "{\"heartbeat\":true}".getBytes(StandardCharsets.US_ASCII);

    private ControlFrames() {
    }

    /** {@code {"cursor":"…"}} */
    public static byte[] cursor(Cursor cursor) {
        return ("{\"cursor\":\"" + cursor.encode() + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code {"heartbeat":true}}; a shared array: do not modify. */
    public static byte[] heartbeat() {
        return HEARTBEAT;
    }

    /** {@code {"reconnect":true,"reason":"budget|shutdown|slow","cursor":"…"}} */
    public static byte[] reconnect(CloseReason reason, Cursor cursor) {
        return ("{\"reconnect\":true,\"reason\":\"" + reason.code() + "\",\"cursor\":\"" + cursor.encode() + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
