package dev.halley.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import java.io.IOException;
import java.util.function.IntPredicate;

/**
 * Parsing client JSON at the edge, against named limits: nesting depth, number length,
 * trailing garbage, invalid UTF-8. Every failure is a {@link ReplyError#BAD_JSON} with a
 * sentence the client can act on. Thread-safe.
 */
public final class Json {
    /** Longest number literal accepted (a 10,000-digit number is refused). */
    public static final int MAX_NUMBER_LENGTH = 100;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final ObjectMapper mapper;
    private final int maxDepth;

    public Json(int maxDepth) {
        this.maxDepth = maxDepth;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .build())
                .build();
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Parses one JSON value from UTF-8 bytes. */
    public JsonNode parse(byte[] bytes, int offset, int length) {
        if (length == 0) {
            throw new HalleyException(ReplyError.BAD_JSON, "A JSON body is required.");
        }
        if (!isUtf8(bytes, offset, length)) {
            throw new HalleyException(ReplyError.BAD_JSON, "The body is not valid UTF-8.");
        }
        try {
            JsonNode node = mapper.readTree(bytes, offset, length);
            if (node == null || node.isMissingNode()) {
                throw new HalleyException(ReplyError.BAD_JSON, "A JSON body is required.");
            }
            return node;
        } catch (StreamConstraintsException e) {
            if (String.valueOf(e.getMessage()).contains("depth")) {
                throw new TooDeepException("The JSON is nested deeper than " + maxDepth + " levels.");
            }
            throw new HalleyException(ReplyError.BAD_JSON, tooBig(e));
        } catch (JsonProcessingException e) {
            throw new HalleyException(ReplyError.BAD_JSON, "The body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new HalleyException(ReplyError.BAD_JSON, "The body is not valid JSON.");
        }
    }

    public JsonNode parse(byte[] bytes) {
        return parse(bytes, 0, bytes.length);
    }

    /** Parses a JSON value given as text (a query parameter). */
    public JsonNode parse(String text) {
        return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Whether the bytes are well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no
     * encoded surrogates, nothing above U+10FFFF, no cut sequences. Jackson's own check lets
     * overlong forms through (so {@code C0 AF} would arrive as {@code /}).
     */
    static boolean isUtf8(byte[] b, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                lo = c == 0xE0 ? 0xA0 : lo;
                hi = c == 0xED ? 0x9F : hi;
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                lo = c == 0xF0 ? 0x90 : lo;
                hi = c == 0xF4 ? 0x8F : hi;
            } else {
                return false;
            }
            if (end - i <= more) {
                return false;
            }
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += more + 1;
        }
        return true;
    }

    /** Compact UTF-8 bytes of a parsed value (how {@code data} is stored, once per publish). */
    public byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new HalleyException(ReplyError.BAD_JSON, "The value cannot be written as JSON.");
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    private static String tooBig(StreamConstraintsException e) {
        if (String.valueOf(e.getMessage()).contains("Number")) {
            return "A number in the body is longer than " + MAX_NUMBER_LENGTH + " characters.";
        }
        return "The JSON is over a size limit.";
    }

    /**
     * JSON nested deeper than the limit: a {@link ReplyError#BAD_JSON} like any other parse failure
     * (400 over HTTP), told apart because WebSocket closes the connection for it (1007).
     */
    public static final class TooDeepException extends HalleyException {
        TooDeepException(String message) {
            super(ReplyError.BAD_JSON, message);
        }
    }

    /** Appends {@code s} as a JSON string literal (quotes included) to {@code sb}. */
    public static StringBuilder quote(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '\u2028' || c == '\u2029') {
                return quote(sb, s, NONE);
            }
        }
        // The common case (channel names, cursors, ids): nothing to escape, one bulk copy.
        return sb.append('"').append(s).append('"');
    }

    private static final IntPredicate NONE = c -> false;

    /**
     * Appends {@code s} as a JSON string literal (quotes included) to {@code sb}, with the
     * characters {@code alsoEscaped} accepts written as {@code \}{@code uxxxx} too (a protocol that
     * must keep them from browsers, such as SockJS). {@code <}, U+2028, U+2029 and control
     * characters are always escaped, so the literal is safe in a script block.
     */
    public static StringBuilder quote(StringBuilder sb, String s, IntPredicate alsoEscaped) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '\u2028' || c == '\u2029' || alsoEscaped.test(c)) {
                        sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
