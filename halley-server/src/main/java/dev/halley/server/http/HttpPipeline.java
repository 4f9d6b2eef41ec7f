package dev.halley.server.http;

import dev.halley.server.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The handlers of every accepted connection: first-byte watch, HTTP codec with line and header
 * limits, the request guard (limits, deadlines), the aggregator and the router.
 */
public final class HttpPipeline extends ChannelInitializer<SocketChannel> {
    public static final String FIRST_BYTE = "first-byte";
    public static final String GUARD = "guard";
    public static final String AGGREGATOR = "aggregator";
    public static final String ROUTER = "router";
    public static final String CODEC = "codec";

    private final ServerContext server;
    private final Map<String, Route> routes;

    private final Consumer<Channel> onAccept;

    public HttpPipeline(ServerContext server, Map<String, Route> routes, Consumer<Channel> onAccept) {
        this.server = server;
        this.routes = Map.copyOf(routes);
        this.onAccept = onAccept;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        onAccept.accept(ch);
        var config = server.config();
        RequestGuardHandler guard = new RequestGuardHandler(server);
        ChannelPipeline p = ch.pipeline();
        p.addLast(FIRST_BYTE, guard.firstByteWatcher());
        p.addLast(CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLine())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(16 * 1024)
                // Refuse Content-Length with Transfer-Encoding, and Transfer-Encoding in HTTP/1.0,
                // instead of guessing the framing (request smuggling, RFC 9112 section 6.1).
                .setUseRfc9112TransferEncoding(true)));
        p.addLast(GUARD, guard);
        p.addLast(AGGREGATOR, new HttpObjectAggregator(Math.max(config.maxPublishBody(), config.maxClientBody())));
        p.addLast(ROUTER, new RouterHandler(server, routes));
    }
}
