package dev.halley.server.protocol.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.api.Publishing;
import dev.halley.server.http.CallbackName;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import dev.halley.server.transport.websocket.WebSocketTransport;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /cometd} and every path under it ({@code /cometd/handshake}, {@code /cometd/connect}, …,
 * which CometD's JavaScript client appends): Bayeux 1.0 on the hub, for CometD's clients.
 *
 * <ul>
 *   <li>{@code long-polling}: {@code POST} with a JSON array of messages (or one object); the
 *       answer is a JSON array. A {@code /meta/connect} is held (see {@link HttpConnectHold}).</li>
 *   <li>{@code callback-polling}: {@code GET ?jsonp=NAME&message=<JSON array>}; the answer is
 *       {@code /**}{@code /NAME([…]);} as JavaScript. A bad name is a plain JSON 400 that does not
 *       echo it; once the name is valid, errors are JSONP calls with status 200.</li>
 *   <li>{@code websocket}: a WebSocket upgrade of any of these paths ({@link BayeuxWebSocketHandler}).</li>
 * </ul>
 * A request that is not Bayeux at all (not JSON, not an array of objects, more than
 * {@value Publishing#MAX_BATCH} messages) is refused with Halley's JSON error and status; a
 * Bayeux message that is refused gets an unsuccessful reply in the array, as the protocol says.
 * The {@code BAYEUX_BROWSER} cookie is set by the first handshake of a browser (HttpOnly, path
 * {@code /}); sessions are bound to it ({@link BayeuxSessions}).
 */
public final class BayeuxRoute implements Route {
    /** The browser cookie, by CometD's name, so that clients and proxies configured for CometD keep working. */
    static final String COOKIE = "BAYEUX_BROWSER";
    /** CometD's name of the JSONP callback parameter. */
    static final String JSONP_PARAM = "jsonp";
    /** The parameter that carries the messages of a JSONP request. */
    static final String MESSAGE_PARAM = "message";

    private final ServerContext server;
    private final BayeuxEngine engine;
    private final WebSocketTransport webSocket;

    public BayeuxRoute(ServerContext server) {
        this.server = server;
        this.engine = new BayeuxEngine(server);
        this.webSocket = new WebSocketTransport(server, ex -> new BayeuxWebSocketHandler(engine, browserCookie(ex)));
    }

    @Override
    public void handle(HttpExchange ex) throws Exception {
        if (WebSocketTransport.isUpgrade(ex.request().headers())) {
            webSocket.handle(ex);
            return;
        }
        ex.requireMethod(HttpMethod.POST, HttpMethod.GET);
        boolean jsonp = ex.method().equals(HttpMethod.GET);
        String callback = jsonp ? CallbackName.optional(ex, JSONP_PARAM) : null;
        if (jsonp && callback == null) {
            throw new HalleyException(ReplyError.BAD_CALLBACK, "callback-polling needs jsonp=NAME (long-polling is a POST).");
        }
        try {
            List<JsonNode> batch = batch(jsonp ? messageParam(ex) : server.json().parse(ex.body()));
            HttpBatch carrier = new HttpBatch(engine, ex, callback, browserCookie(ex));
            engine.process(carrier, batch).whenComplete(carrier::processed);
        } catch (HalleyException e) {
            if (callback == null) {
                throw e;
            }
            ex.sendJsonpError(callback, e.error(), e.getMessage());
        }
    }

    private JsonNode messageParam(HttpExchange ex) {
        String message = ex.param(MESSAGE_PARAM);
        if (message == null) {
            throw new HalleyException(ReplyError.BAD_JSON, "message= (a JSON array of Bayeux messages) is required.");
        }
        return server.json().parse(message);
    }

    /** The messages of one request: a non-empty array of objects, or one object. */
    static List<JsonNode> batch(JsonNode body) {
        if (body.isObject()) {
            return List.of(body);
        }
        if (!body.isArray() || body.isEmpty()) {
            throw new HalleyException(ReplyError.BAD_JSON, "A Bayeux request is a non-empty JSON array of messages.");
        }
        if (body.size() > Publishing.MAX_BATCH) {
            throw new HalleyException(ReplyError.TOO_LARGE, "A Bayeux request holds at most " + Publishing.MAX_BATCH + " messages.");
        }
        List<JsonNode> out = new ArrayList<>(body.size());
        body.forEach(out::add);
        return out;
    }

    /** The {@code BAYEUX_BROWSER} cookie of the request, when it holds a browser id; else null. */
    static String browserCookie(HttpExchange ex) {
        String header = ex.header(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
            if (c.name().equals(COOKIE) && BayeuxSessions.isBrowserId(c.value())) {
                return c.value();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "BayeuxRoute[" + engine + "]";
    }
}
