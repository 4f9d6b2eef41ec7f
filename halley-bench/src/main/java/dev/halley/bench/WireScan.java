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
        return scan(text.toString(), false, (channel, offset, stamp) -> sink.message(offset, stamp));
    }

    /**
     * As {@link #messages(CharSequence, MessageSink)}, with each message's {@code "channel"}: for
     * subscriptions to several channels. Halley writes a message's channel before its offset
     * ({@code {"channel":…,"offset":…,"data":…}}), so the channel is the nearest one before the offset.
     */
    public static int messages(CharSequence text, ChannelSink sink) {
        return scan(text.toString(), true, sink);
    }

    private static int scan(String s, boolean withChannel, ChannelSink sink) {
        int count = 0;
        int from = 0;
        while (true) {
            int o = s.indexOf("\"offset\":", from);
            if (o < 0) {
                return count;
            }
            long offset = number(s, o + 9);
            int t = s.indexOf("\"t\":", o);
            long stamp = t < 0 ? 0 : number(s, t + 4);
            sink.message(withChannel ? channelBefore(s, from, o) : null, offset, stamp);
            count++;
            from = o + 9;
        }
    }

    /** The {@code "channel":"…"} value between {@code from} and {@code at} (this message's), or null. */
    private static String channelBefore(String s, int from, int at) {
        int c = s.lastIndexOf("\"channel\":\"", at);
        if (c < from) {
            return null;
        }
        int end = s.indexOf('"', c + 11);
        return end < 0 || end > at ? null : s.substring(c + 11, end);
    }

    /**
     * Calls {@code sink} for each message in a Bayeux text (a JSON array of message objects, keys in
     * any order) whose data carries the publisher's stamp: data {@code {"t":<nanoTime>,"n":<sequence>…}},
     * the sequence given as the offset (0 when absent). Top-level objects are delimited by brace
     * depth (strings skipped), so each message's {@code "channel"} is read from its own object;
     * replies to meta messages carry no {@code "t"} and are passed over.
     */
    public static int bayeuxMessages(String s, ChannelSink sink) {
        int count = 0;
        int depth = 0;
        int start = 0;
        boolean inString = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' && depth++ == 0) {
                start = i;
            } else if (c == '}' && --depth == 0 && bayeuxMessage(s, start, i, sink)) {
                count++;
            }
        }
        return count;
    }

    private static boolean bayeuxMessage(String s, int from, int to, ChannelSink sink) {
        int t = s.indexOf("\"t\":", from);
        if (t < 0 || t > to) {
            return false;
        }
        int n = s.indexOf("\"n\":", from);
        int c = s.indexOf("\"channel\":\"", from);
        int end = c < 0 || c > to ? -1 : s.indexOf('"', c + 11);
        sink.message(end < 0 ? null : s.substring(c + 11, end), n < 0 || n > to ? 0 : number(s, n + 4), number(s, t + 4));
        return true;
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

    /** One message seen with its channel (null when the text did not name it). */
    @FunctionalInterface
    public interface ChannelSink {
        void message(String channel, long offset, long stampNanos);
    }
}
