package dev.halley.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        return uri(List.of(channel), cursor);
    }

    /** The subscribe URI of an HTTP stream to several channels; {@code cursor} may be null. */
    public String uri(List<String> channels, String cursor) {
        StringBuilder sb = new StringBuilder(path).append(channelParams(channels).replaceFirst("&", "?"));
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

    /** {@code &channel=A&channel=B…}, encoded. */
    static String channelParams(List<String> channels) {
        StringBuilder sb = new StringBuilder();
        for (String c : channels) {
            sb.append("&channel=").append(enc(c));
        }
        return sb.toString();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
