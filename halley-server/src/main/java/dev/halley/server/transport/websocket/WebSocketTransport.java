package dev.halley.server.transport.websocket;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.ErrorBody;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Function;

/**
 * {@code GET /ws}: the native protocol over WebSocket (RFC 6455, version 13). This route checks
 * the request and upgrades it ({@link WebSocketUpgrade}); {@link WebSocketHandler} speaks the
 * protocol afterwards.
 *
 * <p>The upgrade is refused with a JSON error when the request is not one (400), asks for another
 * version (426 with {@code Sec-WebSocket-Version: 13}), comes from an origin outside the
 * allow-list (403; the router checks first) or arrives during shutdown (503).
 */
public final class WebSocketTransport implements Route {
    private final ServerContext server;
    private final WebSocketUpgrade upgrade;
    private final Function<HttpExchange, ChannelHandler> handlers;

    /** The native protocol's door at {@code /ws}. */
    public WebSocketTransport(ServerContext server) {
        this(server, ex -> new WebSocketHandler(server));
    }

    /**
     * The same upgrade for another protocol spoken over WebSocket (Bayeux): {@code handlers} makes
     * the connection's handler from the upgrade request, which it may read only during the call.
     */
    public WebSocketTransport(ServerContext server, Function<HttpExchange, ChannelHandler> handlers) {
        this.server = server;
        this.handlers = handlers;
        this.upgrade = new WebSocketUpgrade(server);
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        if (!isUpgrade(ex.request().headers())) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "WebSocket upgrade required.");
        }
        if (!server.cors().allows(ex.origin(), ex.header(HttpHeaderNames.HOST))) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Origin " + ex.origin() + " is not allowed.");
        }
        if (server.isShuttingDown()) {
            throw new HalleyException(ReplyError.UNAVAILABLE, "The server is shutting down; connect to another node.");
        }
        // Without a version header Netty would pick the obsolete hixie-76 handshake: only 13 is spoken.
        if (!"13".equals(ex.header(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            server.metrics().error(ReplyError.BAD_REQUEST);
            ex.send(HttpResponseStatus.UPGRADE_REQUIRED, "application/json; charset=UTF-8",
                    Unpooled.wrappedBuffer(ErrorBody.of(ReplyError.BAD_REQUEST, "Only WebSocket version 13 is supported.")),
                    h -> h.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13"));
            return;
        }
        upgrade.upgrade(ex, handlers);
    }

    /** {@code Upgrade: websocket} and a {@code Connection} header with the {@code upgrade} token. */
    public static boolean isUpgrade(HttpHeaders h) {
        return WebSocketUpgrade.isUpgrade(h);
    }
}
