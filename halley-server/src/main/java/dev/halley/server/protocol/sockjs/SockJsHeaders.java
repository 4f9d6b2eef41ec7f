package dev.halley.server.protocol.sockjs;

import dev.halley.server.http.HttpExchange;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.Date;
import java.util.regex.Pattern;

/**
 * The response headers SockJS fixes, captured from the request while it is readable and applied
 * over the ones every Halley response carries ({@code extra} runs after them):
 * <ul>
 *   <li>CORS: {@code Access-Control-Allow-Origin} is the request's origin, or {@code *} without
 *       one or for {@code Origin: null} (a page from {@code file://}; echoing {@code null} would
 *       read as a refusal), with {@code Access-Control-Allow-Credentials: true} so that
 *       {@code JSESSIONID} can travel; {@code Access-Control-Request-Headers} is echoed as
 *       {@code Access-Control-Allow-Headers}. Origins outside {@code cors-origins} never get
 *       here: the router refuses them.</li>
 *   <li>Caching: {@code Cache-Control: no-store, no-cache, must-revalidate, max-age=0} and no
 *       {@code Expires} on session requests and {@code /info}; a year of public caching on the
 *       iframe page and preflights.</li>
 *   <li>{@code Set-Cookie: JSESSIONID=…; path=/} on session requests of services that need it:
 *       the client's own value when it sent a well-formed one, else {@code dummy}.</li>
 * </ul>
 *
 * @param origin the request's {@code Origin}, or null
 * @param requestHeaders the request's {@code Access-Control-Request-Headers}, or null
 * @param jsessionid the cookie value to set, or null for none
 */
record SockJsHeaders(String origin, String requestHeaders, String jsessionid) {
    static final String NO_CACHE = "no-store, no-cache, must-revalidate, max-age=0";
    static final long YEAR_SECONDS = 31_536_000L;
    private static final Pattern COOKIE_VALUE = Pattern.compile("[A-Za-z0-9!#$%&'()*+\\-./:<=>?@\\[\\]^_`{|}~]{1,128}");

    /** The headers for {@code ex}; {@code cookie}: the service sets {@code JSESSIONID} on this request. */
    static SockJsHeaders of(HttpExchange ex, boolean cookie) {
        return new SockJsHeaders(ex.origin(), ex.header(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS),
                cookie ? jsessionid(ex.header(HttpHeaderNames.COOKIE)) : null);
    }

    private static String jsessionid(String cookieHeader) {
        if (cookieHeader != null) {
            for (Cookie c : ServerCookieDecoder.LAX.decode(cookieHeader)) {
                if (c.name().equals("JSESSIONID") && COOKIE_VALUE.matcher(c.value()).matches()) {
                    return c.value();
                }
            }
        }
        return "dummy";
    }

    /** CORS, no caching, the cookie: every session request and {@code /info}. */
    void session(HttpHeaders h) {
        cors(h);
        h.set(HttpHeaderNames.CACHE_CONTROL, NO_CACHE);
        h.remove(HttpHeaderNames.EXPIRES);
        if (jsessionid != null) {
            h.set(HttpHeaderNames.SET_COOKIE, "JSESSIONID=" + jsessionid + "; path=/");
        }
    }

    /** A preflight ({@code OPTIONS}): CORS, the methods, and a year of caching for browser and proxies. */
    void preflight(HttpHeaders h, String methods) {
        cors(h);
        cacheForAYear(h);
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
        h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, Long.toString(YEAR_SECONDS));
    }

    private void cors(HttpHeaders h) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin == null || origin.equals("null") ? "*" : origin);
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        if (requestHeaders != null && !requestHeaders.isBlank()) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requestHeaders);
        }
    }

    /** Strong caching (the iframe page, preflights): {@code public}, a year, an {@code Expires} a year ahead. */
    static void cacheForAYear(HttpHeaders h) {
        h.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=" + YEAR_SECONDS);
        h.set(HttpHeaderNames.EXPIRES, DateFormatter.format(new Date(System.currentTimeMillis() + YEAR_SECONDS * 1000)));
        h.remove(HttpHeaderNames.PRAGMA);
    }
}
