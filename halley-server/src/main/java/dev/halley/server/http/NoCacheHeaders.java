package dev.halley.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/** Headers that keep browsers and proxies from caching or transforming Comet responses. */
public final class NoCacheHeaders {
    private NoCacheHeaders() {
    }

    public static void apply(HttpHeaders h) {
        if (!h.contains(HttpHeaderNames.CACHE_CONTROL)) {
            h.set(HttpHeaderNames.CACHE_CONTROL, "no-store, no-cache, must-revalidate, no-transform, max-age=0");
            h.set(HttpHeaderNames.PRAGMA, "no-cache");
            h.set(HttpHeaderNames.EXPIRES, "0");
        }
    }
}
