package dev.halley.server.protocol.sockjs;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The SockJS door, {@code /sockjs/{service}/…} (SockJS protocol 0.3.3), bridged to the same hub
 * as every other door. This route answers the service's fixed URLs and hands session URLs to
 * {@link SessionRequests}:
 * <pre>
 * GET  /sockjs/{service}[/]                     "Welcome to SockJS!\n"
 * GET  /sockjs/{service}/info                   {"websocket":…,"cookie_needed":…,"origins":["*:*"],"entropy":…}
 * GET  /sockjs/{service}/iframe[-x.y.z].html    the iframe page (cached a year, ETag, If-None-Match → 304)
 * GET  /sockjs/{service}/websocket              raw WebSocket
 * ANY  /sockjs/{service}/{server}/{session}/{transport}   see SessionRequests
 * </pre>
 * A wrong method is {@code 405} with {@code Allow} and an empty body; {@code OPTIONS} on
 * {@code /info} and the XHR transports is a {@code 204} preflight cached a year; an unknown path
 * is a JSON 404. The route answers its preflights itself (the protocol fixes their headers).
 */
public final class SockJsRoute implements Route {
    /** The path the door is mounted at. */
    public static final String PATH = "/sockjs";
    static final String GREETING = "Welcome to SockJS!\n";
    /** {@code /iframe.html}, {@code /iframe-0.3.4.html}, … (the client versions the URL to bust caches). */
    private static final Pattern IFRAME = Pattern.compile("/iframe[0-9a-z._-]*\\.html");
    private static final byte[] NO_BODY = new byte[0];

    private final ServerContext server;
    private final Map<String, SockJsService> services;
    private final SessionRequests sessions;
    private final byte[] iframePage;
    private final String iframeEtag;
    private final SecureRandom entropy = new SecureRandom();

    public SockJsRoute(ServerContext server) {
        this.server = server;
        this.services = Services.of(server);
        this.sessions = new SessionRequests(server, new Sessions(server));
        this.iframePage = IframePage.of(server.config().sockjs().clientUrl());
        this.iframeEtag = etag(iframePage);
    }

    @Override
    public boolean answersPreflight() {
        return true;
    }

    @Override
    public void handle(HttpExchange ex) {
        String rest = ex.path().length() > PATH.length() ? ex.path().substring(PATH.length() + 1) : "";
        int slash = rest.indexOf('/');
        SockJsService service = services.get(slash < 0 ? rest : rest.substring(0, slash));
        if (service == null) {
            throw notFound(ex);
        }
        String tail = slash < 0 ? "" : rest.substring(slash);
        if (tail.isEmpty() || tail.equals("/")) {
            greeting(ex);
        } else if (tail.equals("/info")) {
            info(ex, service);
        } else if (IFRAME.matcher(tail).matches()) {
            iframe(ex);
        } else if (tail.equals("/websocket")) {
            sessions.websocket(ex, service, true);
        } else {
            String[] parts = tail.substring(1).split("/", -1);
            if (parts.length != 3 || !SessionRequests.validId(parts[0]) || !SessionRequests.validId(parts[1])) {
                throw notFound(ex);
            }
            sessions.handle(ex, service, parts[1], parts[2]);
        }
    }

    static HalleyException notFound(HttpExchange ex) {
        return new HalleyException(ReplyError.NOT_FOUND, "No such SockJS path: " + ex.path());
    }

    // ---- the fixed URLs --------------------------------------------------------------------

    private void greeting(HttpExchange ex) {
        if (allowed(ex, "GET, HEAD", HttpMethod.GET, HttpMethod.HEAD)) {
            ex.send(HttpResponseStatus.OK, "text/plain; charset=UTF-8",
                    Unpooled.copiedBuffer(GREETING, StandardCharsets.UTF_8), null);
        }
    }

    /** The client asks this before it opens a session, and times it to pick its transport timeouts. */
    private void info(HttpExchange ex, SockJsService service) {
        SockJsHeaders headers = SockJsHeaders.of(ex, false);
        if (ex.method().equals(HttpMethod.OPTIONS)) {
            preflight(ex, headers, "OPTIONS, GET");
        } else if (allowed(ex, "OPTIONS, GET", HttpMethod.GET)) {
            String json = "{\"websocket\":" + service.websocket() + ",\"cookie_needed\":" + service.cookieNeeded()
                    + ",\"origins\":[\"*:*\"],\"entropy\":" + Integer.toUnsignedLong(entropy.nextInt()) + "}";
            ex.send(HttpResponseStatus.OK, "application/json; charset=UTF-8", Unpooled.copiedBuffer(json, StandardCharsets.US_ASCII),
                    headers::session);
        }
    }

    private void iframe(HttpExchange ex) {
        if (!allowed(ex, "GET, HEAD", HttpMethod.GET, HttpMethod.HEAD)) {
            return;
        }
        if (iframeEtag.equals(ex.header(HttpHeaderNames.IF_NONE_MATCH))) {
            ex.send(HttpResponseStatus.NOT_MODIFIED, null, Unpooled.EMPTY_BUFFER, h -> {
                SockJsHeaders.cacheForAYear(h);
                h.set(HttpHeaderNames.ETAG, iframeEtag);
                h.remove(HttpHeaderNames.CONTENT_LENGTH);
            });
            return;
        }
        ex.send(HttpResponseStatus.OK, "text/html; charset=UTF-8", Unpooled.wrappedBuffer(iframePage), h -> {
            SockJsHeaders.cacheForAYear(h);
            h.set(HttpHeaderNames.ETAG, iframeEtag);
        });
    }

    // ---- shared answers --------------------------------------------------------------------

    /** A preflight: {@code 204}, the methods, CORS, cached a year. */
    static void preflight(HttpExchange ex, SockJsHeaders headers, String methods) {
        ex.send(HttpResponseStatus.NO_CONTENT, null, Unpooled.EMPTY_BUFFER, h -> {
            headers.preflight(h, methods);
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
        });
    }

    /**
     * Whether the request's method is one of {@code methods}; if not, answers {@code 405} with
     * {@code Allow: allow} and no body or type (as SockJS specifies), counted.
     */
    static boolean allowed(HttpExchange ex, String allow, HttpMethod... methods) {
        for (HttpMethod m : methods) {
            if (m.equals(ex.method())) {
                return true;
            }
        }
        ex.server().metrics().error(ReplyError.METHOD_NOT_ALLOWED);
        ex.send(HttpResponseStatus.METHOD_NOT_ALLOWED, null, Unpooled.wrappedBuffer(NO_BODY),
                h -> h.set(HttpHeaderNames.ALLOW, allow));
        return false;
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "SockJsRoute[" + services.keySet() + ", " + sessions + "]";
    }
}
