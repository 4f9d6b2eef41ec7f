package dev.halley.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * The origin allow-list, checked on every HTTP request that carries {@code Origin} and before a
 * WebSocket upgrade. With {@code *} any origin may read responses, without credentials; with a
 * list, listed origins get credentials too. {@code Origin: null} never gets credentials.
 */
public final class Cors {
    private final boolean any;
    private final List<String> origins;

    public Cors(List<String> origins) {
        this.any = origins.contains("*");
        this.origins = List.copyOf(origins);
    }

    /** Whether a request from {@code origin} (null when the header is absent) may proceed. */
    public boolean allows(String origin) {
        return origin == null || any || origins.contains(origin);
    }

    /**
     * {@link #allows(String)}, or {@code origin} is the server's own: its host and port are the
     * request's {@code Host} (a page this server served, such as the postMessage bridge, calling
     * home). The scheme is not compared, since a proxy in front may have terminated TLS.
     */
    public boolean allows(String origin, String host) {
        if (allows(origin)) {
            return true;
        }
        int authority = origin.indexOf("://");
        return host != null && authority > 0 && origin.substring(authority + 3).equalsIgnoreCase(host);
    }

    /** Adds the response headers for an allowed cross-origin request. */
    public void decorate(String origin, HttpHeaders headers) {
        if (origin == null || !allows(origin)) {
            return;
        }
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.add(HttpHeaderNames.VARY, "Origin");
        if (!any && !origin.equals("null")) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
    }

    /** Adds the preflight answer's headers. */
    public void decoratePreflight(String origin, HttpHeaders headers) {
        decorate(origin, headers);
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Authorization, Last-Event-ID");
        headers.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    }

    @Override
    public String toString() {
        return "Cors[" + (any ? "*" : origins) + "]";
    }
}
