package dev.halley.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The native-protocol push transports the bench can hold a subscription on. */
public enum Transport {
    WS("/ws"),
    SSE("/sse"),
    STREAM("/stream"),
    IFRAME("/iframe");

    private final String path;

    Transport(String path) {
        this.path = path;
    }

    public static Transport of(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /** The subscribe URI of an HTTP stream (not {@link #WS}); {@code cursor} may be null. */
    public String uri(String channel, String cursor) {
        StringBuilder sb = new StringBuilder(path).append("?channel=").append(enc(channel));
        if (this == IFRAME) {
            sb.append("&callback=parent.cb");
        }
        if (cursor != null) {
            sb.append("&cursor=").append(cursor);
        }
        return sb.toString();
    }

    public String path() {
        return path;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
