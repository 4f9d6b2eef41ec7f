package dev.halley.server.transport.websocket;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.ErrorBody;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.HttpPipeline;
import dev.halley.server.http.RequestGuardHandler;
import dev.halley.server.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.function.Function;

/**
 * {@code GET /ws}: the native protocol over WebSocket (RFC 6455, version 13). This route does the
 * upgrade; {@link WebSocketHandler} speaks the protocol afterwards.
 *
 * <p>The upgrade is refused with a JSON error when the request is not one (400), asks for another
 * version (426 with {@code Sec-WebSocket-Version: 13}), comes from an origin outside the
 * allow-list (403; the router checks first) or arrives during shutdown (503). No subprotocols and
 * no extensions (permessage-deflate is off).
 *
 * <p>The pipeline is rewired in the same event-loop turn as the request, so no frame can meet an
 * HTTP handler: the guard and its first-byte watch step aside ({@link RequestGuardHandler.UpgradedEvent}),
 * the HTTP aggregator and router go, Netty's handshaker puts the frame codec in front of the HTTP
 * codec (and removes that once the 101 is written), and behind them come UTF-8 validation, frame
 * aggregation up to {@code max-ws-message} and the {@link WebSocketHandler}. Protocol violations
 * are reported to the handler as exceptions (not closed by Netty on the spot), so that it closes
 * with Halley's reason and lets the client read the close frame.
 */
public final class WebSocketTransport implements Route {
    static final String UTF8 = "ws-utf8";
    static final String AGGREGATOR = "ws-aggregator";
    static final String HANDLER = "ws-handler";

    private final ServerContext server;
    private final WebSocketServerHandshakerFactory handshakers;
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
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(server.config().maxWsMessage())
                .allowExtensions(false)
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // only read by Netty's protocol handler; we add our own validator
                .build();
        this.handshakers = new WebSocketServerHandshakerFactory(null, null, decoder);
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        FullHttpRequest req = ex.request();
        if (!isUpgrade(req.headers())) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "WebSocket upgrade required.");
        }
        if (!server.cors().allows(ex.origin())) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Origin " + ex.origin() + " is not allowed.");
        }
        if (server.isShuttingDown()) {
            throw new HalleyException(ReplyError.UNAVAILABLE, "The server is shutting down; connect to another node.");
        }
        // Without a version header Netty would pick the obsolete hixie-76 handshake: only 13 is spoken.
        WebSocketServerHandshaker handshaker = "13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))
                ? handshakers.newHandshaker(req) : null;
        if (handshaker == null) {
            server.metrics().error(ReplyError.BAD_REQUEST);
            ex.send(HttpResponseStatus.UPGRADE_REQUIRED, "application/json; charset=UTF-8",
                    Unpooled.wrappedBuffer(ErrorBody.of(ReplyError.BAD_REQUEST, "Only WebSocket version 13 is supported.")),
                    h -> h.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13"));
            return;
        }
        Channel ch = ex.ctx().channel();
        ChannelFuture handshake;
        try {
            // Validates the request before touching the pipeline, then writes the 101.
            handshake = handshaker.handshake(ch, req);
        } catch (WebSocketHandshakeException e) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "Not a valid WebSocket handshake.");
        }
        ChannelHandler handler = handlers.apply(ex);
        ChannelPipeline p = ch.pipeline();
        p.fireUserEventTriggered(RequestGuardHandler.UpgradedEvent.INSTANCE);
        if (p.get(HttpPipeline.AGGREGATOR) != null) {
            p.remove(HttpPipeline.AGGREGATOR);
        }
        p.remove(HttpPipeline.ROUTER);
        ex.detach();
        p.addLast(UTF8, new Utf8FrameValidator(false));
        p.addLast(AGGREGATOR, new WebSocketFrameAggregator(server.config().maxWsMessage()));
        p.addLast(HANDLER, handler);
        handshake.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** {@code Upgrade: websocket} and a {@code Connection} header with the {@code upgrade} token. */
    public static boolean isUpgrade(HttpHeaders h) {
        return h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && h.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }
}
