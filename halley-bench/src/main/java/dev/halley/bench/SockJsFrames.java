package dev.halley.bench;

import java.util.List;
import java.util.function.Consumer;

/**
 * The client's side of SockJS framing (protocol 0.3.3): the messages of an {@code a["m1","m2"]}
 * frame, and the JSON array of strings a client sends ({@code ["m1"]}). Hand-written rather than
 * a JSON parser because the generator shares the CPU with the server under test: a frame is
 * scanned once, and only the escapes JSON strings can hold are undone.
 */
final class SockJsFrames {
    private SockJsFrames() {
    }

    /**
     * Calls {@code sink} with each message of the frame {@code a[…]}, unescaped, in order.
     *
     * @return how many messages the frame held
     * @throws IllegalArgumentException when the frame is not an array of JSON strings
     */
    static int messages(String frame, Consumer<String> sink) {
        if (!frame.startsWith("a[")) {
            throw new IllegalArgumentException("not a message frame: " + abbreviate(frame));
        }
        int count = 0;
        int i = skipSpace(frame, 2);
        if (i < frame.length() && frame.charAt(i) == ']') {
            return 0;
        }
        StringBuilder message = new StringBuilder();
        while (true) {
            i = string(frame, skipSpace(frame, i), message);
            sink.accept(message.toString());
            message.setLength(0);
            count++;
            i = skipSpace(frame, i);
            if (i >= frame.length()) {
                throw new IllegalArgumentException("unterminated frame: " + abbreviate(frame));
            }
            char c = frame.charAt(i++);
            if (c == ']') {
                return count;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected , or ] at " + (i - 1) + ": " + abbreviate(frame));
            }
        }
    }

    /** The JSON string starting at {@code from} (its opening quote) into {@code out}; returns the index after its closing quote. */
    private static int string(String s, int from, StringBuilder out) {
        if (from >= s.length() || s.charAt(from) != '"') {
            throw new IllegalArgumentException("expected a string at " + from + ": " + abbreviate(s));
        }
        int i = from + 1;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return i;
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= s.length()) {
                break;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw new IllegalArgumentException("short \\u escape: " + abbreviate(s));
                    }
                    out.append((char) Integer.parseInt(s, i, i + 4, 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + ": " + abbreviate(s));
            }
        }
        throw new IllegalArgumentException("unterminated string: " + abbreviate(s));
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** {@code ["m1","m2"]}: what a client sends (a WebSocket frame, an {@code xhr_send} body). */
    static String array(List<String> messages) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < messages.size(); i++) {
            sb.append(i == 0 ? "\"" : ",\"");
            quoteInto(sb, messages.get(i));
            sb.append('"');
        }
        return sb.append(']').toString();
    }

    private static void quoteInto(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
