package dev.halley.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;

/**
 * An outbound handler that only has something to do with writes: every other outbound operation
 * passes on unchanged, as Netty's {@code ChannelOutboundHandlerAdapter} passes it, for a handler
 * that cannot extend that class because it extends another (a codec handler that is also its
 * decoder, or its connection's request guard).
 */
public interface PassThroughOutbound extends ChannelOutboundHandler {
    @Override
    default void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    default void read(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    default void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    default void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    default void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    default void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    default void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }
}
