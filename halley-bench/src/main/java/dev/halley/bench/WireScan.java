package dev.halley.bench;

/**
 * Reads what the bench needs out of native-protocol text without a JSON parser, since the
 * generator shares the CPU with the server: message offsets, the publisher's {@code "t"} stamp,
 * cursors. Every message the bench publishes has data {@code {"t":<nanoTime>}}.
 */
public final class WireScan {
    private WireScan() {
    }

    /** Calls {@code sink} for each message in {@code text} (any framing: batch, line, SSE, script). */
    public static int messages(CharSequence text, MessageSink sink) {
        int count = 0;
        int from = 0;
        String s = text.toString();
        while (true) {
            int o = s.indexOf("\"offset\":", from);
            if (o < 0) {
                return count;
            }
            long offset = number(s, o + 9);
            int t = s.indexOf("\"t\":", o);
            long stamp = t < 0 ? 0 : number(s, t + 4);
            sink.message(offset, stamp);
            count++;
            from = o + 9;
        }
    }

    /** The value of the last {@code "cursor":"…"} in {@code s}, or null. */
    public static String cursor(String s) {
        int c = s.lastIndexOf("\"cursor\":\"");
        if (c < 0) {
            return null;
        }
        int start = c + 10;
        int end = s.indexOf('"', start);
        return end < 0 ? null : s.substring(start, end);
    }

    /** The string value of {@code "key":"…"} (first occurrence), or null. */
    public static String string(String s, String key) {
        String k = "\"" + key + "\":\"";
        int c = s.indexOf(k);
        if (c < 0) {
            return null;
        }
        int end = s.indexOf('"', c + k.length());
        return end < 0 ? null : s.substring(c + k.length(), end);
    }

    static long number(String s, int at) {
        long v = 0;
        boolean neg = false;
        int i = at;
        if (i < s.length() && s.charAt(i) == '-') {
            neg = true;
            i++;
        }
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            v = v * 10 + (ch - '0');
        }
        return neg ? -v : v;
    }

    /** One message seen: its channel offset and publish stamp (nanoTime). */
    @FunctionalInterface
    public interface MessageSink {
        void message(long offset, long stampNanos);
    }
}
