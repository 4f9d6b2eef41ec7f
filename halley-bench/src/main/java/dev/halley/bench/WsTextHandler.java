package dev.halley.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * The client end of a WebSocket carrying text frames, for the bench's clients (Halley's native
 * {@code /ws}, Bayeux over WebSocket): Netty's handshaker in front, then the open, each text
 * frame and the close handed to a {@link Listener} on the connection's event loop. Inbound
 * frames are released here once handed over; control frames are answered by Netty.
 */
final class WsTextHandler extends ChannelInboundHandlerAdapter {
    private final Listener listener;

    /** What the connection's owner hears, on its event loop. */
    interface Listener {
        /** The upgrade completed: {@code channel} takes text frames now. */
        void opened(Channel channel);

        void text(String text);

        void closed();
    }

    private WsTextHandler(Listener listener) {
        this.listener = listener;
    }

    /** Adds the HTTP codec, the handshaker for {@code ws://target/path} and this handler to {@code ch}. */
    static void install(Channel ch, InetSocketAddress target, String path, Listener listener) {
        URI uri = URI.create("ws://" + target.getHostString() + ":" + target.getPort() + path);
        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                        .webSocketUri(uri).maxFramePayloadLength(1 << 20).handleCloseFrames(true).build()),
                new WsTextHandler(listener));
    }

    /** Connects to {@code target} and upgrades to {@code path}; a failed connect is reported as closed. */
    static ChannelFuture connect(Loops loops, InetSocketAddress target, String path, Listener listener) {
        ChannelFuture f = loops.bootstrap().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                install(ch, target, path, listener);
            }
        }).connect(target);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                listener.closed();
            }
        });
        return f;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            listener.opened(ctx.channel());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame t) {
                listener.text(t.text());
            } else if (!(msg instanceof WebSocketFrame)) {
                ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
