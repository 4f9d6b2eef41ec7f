package dev.halley.server.protocol.sockjs;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.EventLoops;
import dev.halley.server.ServerContext;
import dev.halley.server.http.CallbackName;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.transport.websocket.WebSocketHandler;
import dev.halley.server.transport.websocket.WebSocketUpgrade;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The session URLs, {@code /sockjs/{service}/{server}/{session}/{transport}}. The server id is
 * for load balancers and ignored; the session id (no dots, at most {@value #MAX_ID_LENGTH}
 * characters) names the session. Receiving transports create the session; sending ones need it
 * to exist (404 otherwise).
 * <pre>
 * POST xhr            poll: one frame                           OPTIONS: preflight
 * POST xhr_streaming  stream: 2 KiB prelude, one frame a line   OPTIONS: preflight
 * GET  eventsource    stream: data: FRAME\r\n\r\n
 * GET  htmlfile?c=cb  stream: a page calling parent.cb
 * GET  jsonp?c=cb     poll: cb("FRAME");
 * POST xhr_send       ["m1","m2"]              → 204          OPTIONS: preflight
 * POST jsonp_send     d=["m1"] (form) or raw   → 200 "ok"
 * GET  websocket      SockJS-framed WebSocket
 * </pre>
 * Bad input gets what the SockJS protocol specifies, a {@code 500} with a plain-text body,
 * counted by its error code: {@code Payload expected.}, {@code Broken JSON encoding.},
 * {@code "callback" parameter required}, {@code invalid "callback" parameter}. WebSocket upgrades
 * that are not ones get {@code 400} ({@code Can "Upgrade" only to "WebSocket".},
 * {@code "Connection" must be "Upgrade".}); a version other than 7, 8 or 13 gets {@code 426}.
 */
final class SessionRequests {
    /** Longest session id accepted. */
    static final int MAX_ID_LENGTH = 128;
    /** The WebSocket versions spoken: RFC 6455 (13) and its drafts hybi-07 and hybi-08, which the suite checks. */
    private static final Set<String> WEBSOCKET_VERSIONS = Set.of("7", "8", "13");
    private static final String TEXT = "text/plain; charset=UTF-8";
    private static final String XHR_METHODS = "OPTIONS, POST";

    private final ServerContext server;
    private final Sessions sessions;
    private final WebSocketUpgrade upgrade;

    SessionRequests(ServerContext server, Sessions sessions) {
        this.server = server;
        this.sessions = sessions;
        this.upgrade = new WebSocketUpgrade(server);
    }

    /** A server or session id: not empty, no dots (nor slashes: it is one path segment), not too long. */
    static boolean validId(String id) {
        return !id.isEmpty() && id.length() <= MAX_ID_LENGTH && id.indexOf('.') < 0;
    }

    void handle(HttpExchange ex, SockJsService service, String id, String transport) {
        switch (transport) {
            case "xhr" -> xhr(ex, service, id, false);
            case "xhr_streaming" -> xhr(ex, service, id, true);
            case "xhr_send" -> send(ex, service, id, false);
            case "eventsource" -> {
                if (SockJsRoute.allowed(ex, "GET", HttpMethod.GET)) {
                    stream(ex, service, id, new HttpFraming.EventSource());
                }
            }
            case "htmlfile" -> callback(ex, service, id, true);
            case "jsonp" -> callback(ex, service, id, false);
            case "jsonp_send" -> send(ex, service, id, true);
            case "websocket" -> websocket(ex, service, false);
            default -> throw SockJsRoute.notFound(ex);
        }
    }

    // ---- receiving -------------------------------------------------------------------------

    private void xhr(HttpExchange ex, SockJsService service, String id, boolean streaming) {
        if (ex.method().equals(HttpMethod.OPTIONS)) {
            SockJsRoute.preflight(ex, SockJsHeaders.of(ex, service.cookieNeeded()), XHR_METHODS);
        } else if (SockJsRoute.allowed(ex, XHR_METHODS, HttpMethod.POST)) {
            if (streaming) {
                stream(ex, service, id, new HttpFraming.Xhr());
            } else {
                HttpReceiver.poll(ex, session(ex, service, id), new HttpFraming.Xhr(), SockJsHeaders.of(ex, service.cookieNeeded()));
            }
        }
    }

    /** htmlfile and JSONP name their callback in {@code c=}. */
    private void callback(HttpExchange ex, SockJsService service, String id, boolean htmlfile) {
        if (!SockJsRoute.allowed(ex, "GET", HttpMethod.GET)) {
            return;
        }
        List<String> c = ex.params("c");
        if (c.isEmpty() || c.get(0).isEmpty()) {
            refuse(ex, ReplyError.BAD_CALLBACK, "\"callback\" parameter required", null);
        } else if (c.size() > 1 || !CallbackName.isValid(c.get(0))) {
            refuse(ex, ReplyError.BAD_CALLBACK, "invalid \"callback\" parameter", null);
        } else if (htmlfile) {
            stream(ex, service, id, new HttpFraming.Htmlfile(c.get(0)));
        } else {
            HttpReceiver.poll(ex, session(ex, service, id), new HttpFraming.Jsonp(c.get(0)), SockJsHeaders.of(ex, service.cookieNeeded()));
        }
    }

    private void stream(HttpExchange ex, SockJsService service, String id, HttpFraming framing) {
        HttpReceiver.stream(ex, session(ex, service, id), framing, SockJsHeaders.of(ex, service.cookieNeeded()), service.streamBudget());
    }

    /** The session, created when new (its handler on this request's event loop); 503 over the session bound. */
    private SockJsSession session(HttpExchange ex, SockJsService service, String id) {
        return sessions.findOrCreate(service, id, ex.ctx().executor());
    }

    // ---- sending ---------------------------------------------------------------------------

    /**
     * {@code xhr_send} (a JSON array in the body, answered 204) and {@code jsonp_send} (the array
     * in the form field {@code d}, or as the raw body, answered 200 {@code ok}: a form posted into
     * a hidden iframe needs a body, and some browsers mishandle 204 there). The answer comes once
     * the service has handled the messages.
     */
    private void send(HttpExchange ex, SockJsService service, String id, boolean jsonp) {
        if (!jsonp && ex.method().equals(HttpMethod.OPTIONS)) {
            SockJsRoute.preflight(ex, SockJsHeaders.of(ex, service.cookieNeeded()), XHR_METHODS);
            return;
        }
        if (!SockJsRoute.allowed(ex, jsonp ? "POST" : XHR_METHODS, HttpMethod.POST)) {
            return;
        }
        SockJsSession session = sessions.find(service, id);
        if (session == null) {
            throw SockJsRoute.notFound(ex);
        }
        SockJsHeaders headers = SockJsHeaders.of(ex, service.cookieNeeded());
        byte[] payload = jsonp ? formPayload(ex) : ex.body();
        if (payload.length == 0) {
            refuse(ex, ReplyError.BAD_JSON, "Payload expected.", headers);
            return;
        }
        List<String> messages;
        try {
            messages = Frames.messages(server.json(), payload);
        } catch (HalleyException e) {
            refuse(ex, ReplyError.BAD_JSON, "Broken JSON encoding.", headers);
            return;
        }
        EventExecutor loop = ex.ctx().executor();
        session.receive(messages, () -> EventLoops.onLoop(loop, () -> {
            if (jsonp) {
                ex.send(HttpResponseStatus.OK, TEXT, Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII), headers::session);
            } else {
                ex.send(HttpResponseStatus.NO_CONTENT, TEXT, Unpooled.EMPTY_BUFFER, h -> {
                    headers.session(h);
                    h.remove(HttpHeaderNames.CONTENT_LENGTH);
                });
            }
        }));
    }

    /** The {@code d} field of a form body, or the body itself when it is not a form. */
    private static byte[] formPayload(HttpExchange ex) {
        String type = ex.header(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return ex.body();
        }
        QueryStringDecoder form = new QueryStringDecoder(new String(ex.body(), StandardCharsets.US_ASCII), StandardCharsets.UTF_8, false, 16);
        List<String> d;
        try {
            d = form.parameters().get("d");
        } catch (IllegalArgumentException e) {
            return "broken".getBytes(StandardCharsets.US_ASCII); // bad percent-encoding reads as broken JSON
        }
        return d == null || d.isEmpty() ? new byte[0] : d.get(0).getBytes(StandardCharsets.UTF_8);
    }

    /** SockJS's answer to bad input: 500 and a plain sentence; counted as {@code error}. */
    private void refuse(HttpExchange ex, ReplyError error, String sentence, SockJsHeaders headers) {
        server.metrics().error(error);
        ex.send(HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, Unpooled.copiedBuffer(sentence, StandardCharsets.UTF_8),
                headers == null ? null : headers::session);
    }

    // ---- WebSocket -------------------------------------------------------------------------

    /** Framed ({@code …/{server}/{session}/websocket}) or raw ({@code /sockjs/{service}/websocket}). */
    void websocket(HttpExchange ex, SockJsService service, boolean raw) {
        if (!service.websocket()) {
            throw SockJsRoute.notFound(ex);
        }
        if (!SockJsRoute.allowed(ex, "GET", HttpMethod.GET)) {
            return;
        }
        HttpHeaders h = ex.request().headers();
        if (!h.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            refuseUpgrade(ex, "Can \"Upgrade\" only to \"WebSocket\".");
        } else if (!WebSocketUpgrade.hasUpgradeToken(h)) {
            refuseUpgrade(ex, "\"Connection\" must be \"Upgrade\".");
        } else if (!WEBSOCKET_VERSIONS.contains(h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            server.metrics().error(ReplyError.BAD_REQUEST);
            ex.send(HttpResponseStatus.UPGRADE_REQUIRED, TEXT, Unpooled.copiedBuffer("Unsupported WebSocket version.", StandardCharsets.US_ASCII),
                    r -> r.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13"));
        } else {
            SockJsSession session = sessions.createForWebSocket(service, raw, ex.ctx().executor());
            SockJsWebSocket conversation = new SockJsWebSocket(server, session, raw);
            try {
                upgrade.upgrade(ex, e -> new WebSocketHandler(server, conversation::bind)).addListener(f -> {
                    if (f.isSuccess()) {
                        conversation.start();
                    }
                });
            } catch (RuntimeException e) {
                session.abandon();
                throw e;
            }
        }
    }

    private void refuseUpgrade(HttpExchange ex, String sentence) {
        server.metrics().error(ReplyError.BAD_REQUEST);
        ex.send(HttpResponseStatus.BAD_REQUEST, TEXT, Unpooled.copiedBuffer(sentence, StandardCharsets.US_ASCII), null);
    }

    @Override
    public String toString() {
        return "SessionRequests[" + sessions + "]";
    }
}
