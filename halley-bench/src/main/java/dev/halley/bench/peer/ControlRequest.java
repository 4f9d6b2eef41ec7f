package dev.halley.bench.peer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;

/**
 * One {@code POST} to Pushpin's HTTP control API on a connection of its own: the control server
 * answers {@code Connection: close}, so there is nothing to keep alive. Runs on {@code loop}, and
 * calls {@code done} there exactly once, with the status, or 0 when the request failed.
 */
final class ControlRequest extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final IntConsumer done;
    private boolean answered;

    private ControlRequest(IntConsumer done) {
        this.done = done;
    }

    static void post(EventLoop loop, Class<? extends SocketChannel> channelClass, InetSocketAddress to, String path,
            String json, IntConsumer done) {
        ControlRequest handler = new ControlRequest(done);
        ChannelFuture f = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), handler);
                    }
                }).connect(to);
        f.addListener(c -> {
            if (!c.isSuccess()) {
                handler.finish(0);
                return;
            }
            ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, body);
            req.headers().set(HttpHeaderNames.HOST, to.getHostString() + ":" + to.getPort())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            HttpUtil.setContentLength(req, body.readableBytes());
            Channel ch = f.channel();
            ch.writeAndFlush(req).addListener(w -> {
                if (!w.isSuccess()) {
                    ch.close();
                }
            });
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
        finish(r.status().code());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(0);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void finish(int status) {
        if (!answered) {
            answered = true;
            done.accept(status);
        }
    }
}
