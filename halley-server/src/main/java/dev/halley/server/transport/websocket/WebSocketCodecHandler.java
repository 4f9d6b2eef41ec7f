package dev.halley.server.transport.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.net.SocketAddress;

/**
 * The frame codec of one upgraded connection in one pipeline handler: Netty's frame decoder
 * (RFC 6455 and the hybi drafts 7 and 8 it grew from; Netty's decoders for 13, 8 and 7 are this one
 * class) is this handler, and Netty's frame encoder, which keeps no state, is one instance that
 * every connection writes through. Server frames are not masked. Two pipeline contexts made one:
 * every held WebSocket pays for each.
 */
final class WebSocketCodecHandler extends WebSocket08FrameDecoder implements ChannelOutboundHandler {
    /** Stateless, and never added to a pipeline itself: shared. */
    private static final WebSocket08FrameEncoder ENCODER = new WebSocket08FrameEncoder(false);

    WebSocketCodecHandler(WebSocketDecoderConfig config) {
        super(config);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        ENCODER.write(ctx, msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }
}
