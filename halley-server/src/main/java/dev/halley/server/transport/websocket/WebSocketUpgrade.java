package dev.halley.server.transport.websocket;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.HttpPipeline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker07;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker08;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import java.util.function.Function;

/**
 * The WebSocket upgrade of one HTTP exchange, shared by every door that speaks WebSocket (the
 * native {@code /ws}, SockJS, Bayeux). The door checks the request in its own protocol's terms
 * (method, headers, origin, version) and then calls {@link #upgrade}.
 *
 * <p>The handshake's answer is Netty's (versions 13, 8 and 7), written through the connection's
 * HTTP codec; then the pipeline is rewired in the same event-loop turn, so no frame can meet an
 * HTTP handler: the router goes, the frame codec ({@link WebSocketCodecHandler}) goes in front,
 * the door's handler behind, and the HTTP codec (with its request guard and deadlines) leaves
 * last, so that bytes it still held (a client that did not wait for the 101) reach the door's
 * handler, which closes with 1002. Two handlers in all: fragments are gathered up to
 * {@code max-ws-message} and text checked as UTF-8 by {@link WebSocketLifecycle}. Protocol
 * violations are reported to the handler as exceptions (not closed by Netty on the spot), so that
 * it closes with its own reason and lets the client read the close frame. No extensions
 * (permessage-deflate is off), no subprotocols.
 */
public final class WebSocketUpgrade {
    static final String CODEC = "ws-codec";
    static final String HANDLER = "ws-handler";

    private final WebSocketDecoderConfig decoder;
    private final Handshake v13;
    private final Handshake v08;
    private final Handshake v07;

    public WebSocketUpgrade(ServerContext server) {
        this.decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(server.config().maxWsMessage())
                .allowExtensions(false)
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // only read by Netty's protocol handler; WebSocketLifecycle checks text
                .build();
        this.v13 = new V13(decoder);
        this.v08 = new V08(decoder);
        this.v07 = new V07(decoder);
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
     * caller has checked the version.
     *
     * @return completes once the 101 is written and the pipeline speaks WebSocket: then frames can be written
     * @throws HalleyException {@link ReplyError#BAD_REQUEST} when the handshake is not valid
     *         (nothing was written, the exchange is still HTTP)
     */
    public ChannelFuture upgrade(HttpExchange ex, Function<HttpExchange, ChannelHandler> handlers) {
        FullHttpRequest req = ex.request();
        Handshake handshake = handshake(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION));
        if (handshake == null) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "Unsupported WebSocket version.");
        }
        FullHttpResponse answer;
        try {
            answer = handshake.answer(req);
        } catch (WebSocketHandshakeException e) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "Not a valid WebSocket handshake.");
        }
        ChannelHandler handler = handlers.apply(ex);
        Channel ch = ex.ctx().channel();
        // Encoded by the HTTP codec now, on this loop, before it leaves the pipeline.
        ChannelFuture written = ex.ctx().writeAndFlush(answer);
        ex.detach();
        ChannelPipeline p = ch.pipeline();
        p.remove(HttpPipeline.ROUTER);
        p.addFirst(CODEC, new WebSocketCodecHandler(decoder));
        p.addLast(HANDLER, handler);
        p.remove(HttpPipeline.HTTP);
        ChannelPromise upgraded = ch.newPromise();
        written.addListener(f -> {
            if (f.isSuccess()) {
                upgraded.trySuccess();
            } else {
                upgraded.tryFailure(f.cause());
                ch.close();
            }
        });
        return upgraded;
    }

    /** Netty's handshake for a {@code Sec-WebSocket-Version}, or null for another version. */
    private Handshake handshake(String version) {
        if (version == null) {
            return null;
        }
        return switch (version) {
            case "13" -> v13;
            case "8" -> v08;
            case "7" -> v07;
            default -> null;
        };
    }

    /** One version's handshake answer (Netty's, reached through a subclass). */
    private interface Handshake {
        /** The 101 for {@code req}; throws {@link WebSocketHandshakeException} when it is not a valid handshake. */
        FullHttpResponse answer(FullHttpRequest req);
    }

    private static final class V13 extends WebSocketServerHandshaker13 implements Handshake {
        V13(WebSocketDecoderConfig config) {
            super(null, null, config);
        }

        @Override
        public FullHttpResponse answer(FullHttpRequest req) {
            return newHandshakeResponse(req, null);
        }
    }

    private static final class V08 extends WebSocketServerHandshaker08 implements Handshake {
        V08(WebSocketDecoderConfig config) {
            super(null, null, config);
        }

        @Override
        public FullHttpResponse answer(FullHttpRequest req) {
            return newHandshakeResponse(req, null);
        }
    }

    private static final class V07 extends WebSocketServerHandshaker07 implements Handshake {
        V07(WebSocketDecoderConfig config) {
            super(null, null, config);
        }

        @Override
        public FullHttpResponse answer(FullHttpRequest req) {
            return newHandshakeResponse(req, null);
        }
    }
}
