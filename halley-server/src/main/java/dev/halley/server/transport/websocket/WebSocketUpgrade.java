package dev.halley.server.transport.websocket;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.HttpPipeline;
import dev.halley.server.http.RequestGuardHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.function.Function;

/**
 * The WebSocket upgrade of one HTTP exchange, shared by every door that speaks WebSocket (the
 * native {@code /ws}, SockJS). The door checks the request in its own protocol's terms (method,
 * headers, origin, version) and then calls {@link #upgrade}.
 *
 * <p>The pipeline is rewired in the same event-loop turn as the request, so no frame can meet an
 * HTTP handler: the guard and its first-byte watch step aside ({@link RequestGuardHandler.UpgradedEvent}),
 * the HTTP aggregator and router go, Netty's handshaker puts the frame codec in front of the HTTP
 * codec (and removes that once the 101 is written), and behind them come UTF-8 validation, frame
 * aggregation up to {@code max-ws-message} and the door's handler. Protocol violations are
 * reported to the handler as exceptions (not closed by Netty on the spot), so that it closes
 * with its own reason and lets the client read the close frame. No extensions
 * (permessage-deflate is off), no subprotocols.
 */
public final class WebSocketUpgrade {
    static final String UTF8 = "ws-utf8";
    static final String AGGREGATOR = "ws-aggregator";
    static final String HANDLER = "ws-handler";

    private final ServerContext server;
    private final WebSocketServerHandshakerFactory handshakers;

    public WebSocketUpgrade(ServerContext server) {
        this.server = server;
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(server.config().maxWsMessage())
                .allowExtensions(false)
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // only read by Netty's protocol handler; we add our own validator
                .build();
        this.handshakers = new WebSocketServerHandshakerFactory(null, null, decoder);
    }

    /** {@code Upgrade: websocket} and a {@code Connection} header with the {@code upgrade} token. */
    public static boolean isUpgrade(HttpHeaders h) {
        return hasUpgradeToken(h) && h.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** Whether {@code Connection} carries the {@code upgrade} token (among others, as Firefox sends it). */
    public static boolean hasUpgradeToken(HttpHeaders h) {
        return h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /**
     * Answers the handshake with 101 and hands the connection to the handler {@code handlers} makes
     * from the request (which it may read only during the call), once the handshake is valid. The
     * caller has checked the version: without one Netty would pick the obsolete hixie-76 handshake.
     *
     * @return the write of the 101: once it is done, frames can be written
     * @throws HalleyException {@link ReplyError#BAD_REQUEST} when the handshake is not valid
     *         (nothing was written, the exchange is still HTTP)
     */
    public ChannelFuture upgrade(HttpExchange ex, Function<HttpExchange, ChannelHandler> handlers) {
        FullHttpRequest req = ex.request();
        WebSocketServerHandshaker handshaker = handshakers.newHandshaker(req);
        if (handshaker == null) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "Unsupported WebSocket version.");
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
        return handshake;
    }
}
