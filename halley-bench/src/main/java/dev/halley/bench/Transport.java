package dev.halley.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The push transports the bench can hold a subscription on: the native protocol's, and SockJS's
 * websocket and xhr-streaming on the {@code channels} service ({@link SockJsConn}), which carry
 * the native protocol's requests and messages as SockJS messages. Named on the command line as
 * {@code ws}, {@code sse}, {@code stream}, {@code iframe}, {@code sockjs-ws}, {@code sockjs-xhr-streaming}.
 */
public enum Transport {
    WS("/ws"),
    SSE("/sse"),
    STREAM("/stream"),
    IFRAME("/iframe"),
    SOCKJS_WS(SockJsConn.SERVICE),
    SOCKJS_XHR_STREAMING(SockJsConn.SERVICE);

    private final String path;

    Transport(String path) {
        this.path = path;
    }

    public static Transport of(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** A SockJS session on the {@code channels} service, subscribing in band as over {@link #WS}. */
    public boolean isSockJs() {
        return this == SOCKJS_WS || this == SOCKJS_XHR_STREAMING;
    }

    /** The subscribe URI of a native HTTP stream (not {@link #WS} nor SockJS); {@code cursor} may be null. */
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
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
