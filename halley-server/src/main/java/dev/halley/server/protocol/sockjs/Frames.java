package dev.halley.server.protocol.sockjs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The SockJS frames (protocol 0.3.3, "Protocol and framing"), as UTF-8 bytes: open {@code o},
 * heartbeat {@code h}, messages {@code a["…","…"]} and close {@code c[3000,"Go away!"]}; and the
 * JSON string encoding of messages.
 *
 * <p>The server accepts no framing: what a client sends is a JSON array of strings, each one
 * message ({@link #messages}).
 *
 * <p>Messages are encoded as JSON strings ({@link Json#quote(StringBuilder, String,
 * java.util.function.IntPredicate)}) with more escaped than JSON requires: control characters,
 * {@code <}, surrogates, and the ranges U+200C–U+200F, U+2028–U+202F, U+2060–U+206F and
 * U+FFF0–U+FFFF, as {@code \}{@code uxxxx} with lower-case hex ("JSON Unicode Encoding": browsers
 * mangle or drop these on some transports). Escaping surrogates keeps pairs intact and lets a
 * lone one survive the round trip.
 */
final class Frames {
    static final byte[] OPEN = {'o'};
    static final byte[] HEARTBEAT = {'h'};
    /** Another receiving request is attached to the session (2010). */
    static final Close ANOTHER_CONNECTION = close(2010, "Another connection still open");
    /** The receiving request of the session went away before it was answered (1002). */
    static final Close INTERRUPTED = close(1002, "Connection interrupted");

    /** A close frame: its code, its reason, and its bytes {@code c[code,"reason"]}. */
    record Close(int code, String reason, byte[] bytes) {
    }

    private Frames() {
    }

    /** {@code c[code,"reason"]} */
    static Close close(int code, String reason) {
        byte[] bytes = ("c[" + code + "," + new String(quote(reason), StandardCharsets.UTF_8) + "]").getBytes(StandardCharsets.UTF_8);
        return new Close(code, reason, bytes);
    }

    /** {@code a[m1,m2,…]} of messages already {@linkplain #quote encoded}. */
    static byte[] array(List<byte[]> quoted) {
        int size = 2 + quoted.size();
        for (byte[] q : quoted) {
            size += q.length;
        }
        byte[] out = new byte[size];
        out[0] = 'a';
        out[1] = '[';
        int o = 2;
        for (int i = 0; i < quoted.size(); i++) {
            if (i > 0) {
                out[o++] = ',';
            }
            byte[] q = quoted.get(i);
            System.arraycopy(q, 0, out, o, q.length);
            o += q.length;
        }
        out[o] = ']';
        return out;
    }

    /** One message as a JSON string literal, quotes included, in UTF-8. */
    static byte[] quote(String message) {
        return Json.quote(new StringBuilder(message.length() + 16), message, Frames::escaped).toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    /** What SockJS escapes beyond JSON: surrogates and the ranges browsers mangle ("escapable_by_server"). */
    private static boolean escaped(int c) {
        return Character.isSurrogate((char) c)
                || (c >= '\u200c' && c <= '\u200f')
                || (c >= '\u2028' && c <= '\u202f')
                || (c >= '\u2060' && c <= '\u206f')
                || c >= '\ufff0';
    }

    /**
     * A whole frame as a JSON string literal, for the transports that pass frames to a script
     * function (htmlfile, JSONP): {@code a["x"]} becomes {@code "a[\"x\"]"}. Frames hold no control
     * characters or raw separators (messages inside are escaped), so only quotes and backslashes
     * need escaping here.
     */
    static byte[] quoteFrame(byte[] frame) {
        int extra = 2;
        for (byte b : frame) {
            if (b == '"' || b == '\\') {
                extra++;
            }
        }
        byte[] out = new byte[frame.length + extra];
        int o = 0;
        out[o++] = '"';
        for (byte b : frame) {
            if (b == '"' || b == '\\') {
                out[o++] = '\\';
            }
            out[o++] = b;
        }
        out[o] = '"';
        return out;
    }

    /**
     * The messages of what a client sent: a JSON array of strings, or one JSON string.
     *
     * @throws HalleyException {@link ReplyError#BAD_JSON} for anything else (broken JSON, other values)
     */
    static List<String> messages(Json json, byte[] body) {
        JsonNode node = json.parse(body);
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw new HalleyException(ReplyError.BAD_JSON, "Expected a JSON array of strings.");
        }
        List<String> messages = new ArrayList<>(node.size());
        for (JsonNode m : node) {
            if (!m.isTextual()) {
                throw new HalleyException(ReplyError.BAD_JSON, "Expected a JSON array of strings.");
            }
            messages.add(m.textValue());
        }
        return messages;
    }
}
