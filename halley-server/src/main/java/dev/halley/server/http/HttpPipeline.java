package dev.halley.server.http;

import dev.halley.server.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The handlers of every accepted connection, two: the HTTP codec with the request guard (line
 * and header limits, smuggling, body limits, deadlines; {@link HttpCodecHandler}), and the router,
 * which gathers each request whole and hands it to its route ({@link RouterHandler}). Each
 * handler is a pipeline context every connection pays for while it is held, so there are no more.
 */
public final class HttpPipeline extends ChannelInitializer<SocketChannel> {
    public static final String HTTP = "http";
    public static final String ROUTER = "router";

    private final ServerContext server;
    private final RouterHandler.Table routes;
    private final HttpCodecHandler.Codecs codecs;
    private final Consumer<Channel> onAccept;

    public HttpPipeline(ServerContext server, Map<String, Route> routes, Consumer<Channel> onAccept) {
        this.server = server;
        this.routes = new RouterHandler.Table(server, routes);
        this.onAccept = onAccept;
        this.codecs = new HttpCodecHandler.Codecs(decoderConfig(server));
    }

    /** The request decoder's limits. */
    static HttpDecoderConfig decoderConfig(ServerContext server) {
        var config = server.config();
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLine())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(16 * 1024)
                // Refuse Content-Length with Transfer-Encoding, and Transfer-Encoding in HTTP/1.0,
                // instead of guessing the framing (request smuggling, RFC 9112 section 6.1).
                .setUseRfc9112TransferEncoding(true);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        onAccept.accept(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast(HTTP, new HttpCodecHandler(server, codecs));
        p.addLast(ROUTER, new RouterHandler(routes));
    }
}
