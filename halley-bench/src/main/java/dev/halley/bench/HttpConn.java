package dev.halley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One HTTP/1.1 client connection with one request in flight at a time (keep-alive). Each
 * response arrives whole to the {@link Listener} on the connection's event loop; the response
 * buffer is released by this class after the listener returns.
 */
public final class HttpConn {
    private final Channel channel;
    private final String hostHeader;
    private volatile Listener listener;

    private HttpConn(Channel channel, String hostHeader) {
        this.channel = channel;
        this.hostHeader = hostHeader;
    }

    /** What a connection's owner hears; all on the connection's event loop. */
    public interface Listener {
        void response(int status, String body);

        /** As {@link #response(int, String)}, with the response headers (cookies); delegates by default. */
        default void response(int status, HttpHeaders headers, String body) {
            response(status, body);
        }

        /** The connection closed (by either side) or failed. */
        void closed(Throwable cause);
    }

    /** Connects and calls {@code ready} with the connection, or with null on failure (cause to {@code failed}). */
    /** What runs after each batch of {@link #connectInBatches}; may wait. */
    @FunctionalInterface
    interface AfterBatch {
        void started(long clients) throws InterruptedException;
    }

    /**
     * Opens one connection per listener made by {@code make}, 500 at a time: each batch is
     * connected, then every client of it is {@code start}ed in order (its first request) and
     * counted as connected, then {@code afterBatch} runs with the number started so far (a wait
     * that paces a peer's accept path, or nothing). Every listener is added to {@code into}.
     */
    static <L extends Listener> void connectInBatches(Bench bench, int n, java.util.function.Supplier<L> make,
            java.util.function.BiConsumer<L, HttpConn> attach, Consumer<L> start, AfterBatch afterBatch,
            java.util.List<L> into) throws Exception {
        int batch = 500;
        for (int from = 0; from < n; from += batch) {
            java.util.List<java.util.concurrent.CompletableFuture<HttpConn>> opening = new java.util.ArrayList<>();
            for (int i = from; i < Math.min(n, from + batch); i++) {
                L l = make.get();
                java.util.concurrent.CompletableFuture<HttpConn> f = new java.util.concurrent.CompletableFuture<>();
                connect(bench.loops(), bench.target(), l, conn -> {
                    attach.accept(l, conn);
                    f.complete(conn);
                }, f::completeExceptionally);
                opening.add(f);
                into.add(l);
            }
            for (int i = 0; i < opening.size(); i++) {
                opening.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
                start.accept(into.get(from + i));
                bench.stats().connected.increment();
            }
            afterBatch.started(Math.min(n, from + batch));
        }
    }

    public static void connect(Loops loops, InetSocketAddress target, Listener listener, Consumer<HttpConn> ready,
            Consumer<Throwable> failed) {
        HttpConn[] holder = new HttpConn[1];
        ChannelFuture f = loops.bootstrap().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(4 << 20),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                holder[0].listener.response(r.status().code(), r.headers(), r.content().toString(StandardCharsets.UTF_8));
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                holder[0].listener.closed(null);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
            }
        }).connect(target);
        holder[0] = new HttpConn(f.channel(), target.getHostString() + ":" + target.getPort());
        holder[0].listener = listener;
        f.addListener(done -> {
            if (done.isSuccess()) {
                ready.accept(holder[0]);
            } else {
                failed.accept(done.cause());
            }
        });
    }

    public void listener(Listener l) {
        this.listener = l;
    }

    /** Sends a GET; {@code keepAlive=false} asks the server to close after answering. */
    public void get(String uri, boolean keepAlive) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER);
        req.headers().set(HttpHeaderNames.HOST, hostHeader);
        if (!keepAlive) {
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        channel.writeAndFlush(req, channel.voidPromise());
    }

    /** Sends a POST of a JSON body. */
    public void postJson(String uri, String json) {
        postJson(uri, json, null);
    }

    /** Sends a POST of a JSON body with a {@code Cookie} header when {@code cookie} is not null. */
    public void postJson(String uri, String json, String cookie) {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri, body);
        req.headers().set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        if (cookie != null) {
            req.headers().set(HttpHeaderNames.COOKIE, cookie);
        }
        HttpUtil.setContentLength(req, body.readableBytes());
        channel.writeAndFlush(req, channel.voidPromise());
    }

    public Channel channel() {
        return channel;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    public void close() {
        channel.close();
    }
}
