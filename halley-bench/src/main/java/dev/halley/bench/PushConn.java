package dev.halley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One held push subscription to one channel, over WebSocket or an HTTP stream (NDJSON, SSE,
 * forever frame). Lines (or frames) are scanned for messages, which go to the {@link Listener}
 * on the connection's event loop. Inbound buffers are released here, as soon as scanned.
 */
public final class PushConn {
    private final Transport transport;
    private final String channelName;
    private final Listener listener;
    private final StringBuilder line = new StringBuilder();
    private volatile Channel channel;
    private volatile String cursor;
    private volatile String epoch;
    private volatile boolean established;

    /** What a subscription's owner hears, on the connection's event loop. */
    public interface Listener {
        /** The subscription is in place (WS subscribe reply, or the stream's response head). */
        void established(PushConn conn);

        void message(PushConn conn, long offset, long stampNanos);

        void closed(PushConn conn, boolean wasEstablished);
    }

    public PushConn(Transport transport, String channelName, Listener listener) {
        this.transport = transport;
        this.channelName = channelName;
        this.listener = listener;
    }

    /**
     * Opens the connection and subscribes; {@code resumeCursor} (HTTP streams) or
     * {@code sinceOffset} ≥ 0 (WebSocket, with the last epoch seen) resumes, otherwise live.
     */
    public ChannelFuture open(Loops loops, InetSocketAddress target, String resumeCursor, long sinceOffset) {
        ChannelFuture f = loops.bootstrap().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (transport == Transport.WS) {
                    URI uri = URI.create("ws://" + target.getHostString() + ":" + target.getPort() + "/ws");
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                            new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                    .webSocketUri(uri).maxFramePayloadLength(1 << 20).handleCloseFrames(true).build()),
                            new WsHandler(sinceOffset));
                } else {
                    ch.pipeline().addLast(new HttpClientCodec(), new StreamHandler(target, resumeCursor));
                }
            }
        }).connect(target);
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                listener.closed(this, false);
            }
        });
        return f;
    }

    public void close() {
        Channel c = channel;
        if (c != null) {
            c.close();
        }
    }

    public boolean isEstablished() {
        return established;
    }

    /** The last cursor the server sent on this stream (HTTP streams), or null. */
    public String cursor() {
        return cursor;
    }

    public String epoch() {
        return epoch;
    }

    private void onText(String text) {
        if (!established && isReady(text)) {
            established = true;
            epoch = WireScan.string(text, "epoch");
            listener.established(this);
        }
        if (text.indexOf("\"cursor\":\"") >= 0) {
            cursor = WireScan.cursor(text);
        } else if (text.startsWith("id: ")) {
            cursor = text.substring(4).trim();
        }
        WireScan.messages(text, (offset, stamp) -> listener.message(this, offset, stamp));
    }

    private boolean isReady(String text) {
        return transport != Transport.WS || text.contains("\"ok\":true");
    }

    private void closed() {
        listener.closed(this, established);
    }

    private final class WsHandler extends ChannelInboundHandlerAdapter {
        private final long since;

        WsHandler(long since) {
            this.since = since;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                String resume = since >= 0
                        ? ",\"since\":" + since + (epoch != null ? ",\"epoch\":\"" + epoch + "\"" : "") : "";
                ctx.writeAndFlush(new TextWebSocketFrame(
                        "{\"op\":\"subscribe\",\"channel\":\"" + channelName + "\"" + resume + ",\"id\":1}"));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof TextWebSocketFrame t) {
                    onText(t.text());
                } else if (!(msg instanceof WebSocketFrame)) {
                    ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress target;
        private final String resumeCursor;

        StreamHandler(InetSocketAddress target, String resumeCursor) {
            this.target = target;
            this.resumeCursor = resumeCursor;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    transport.uri(channelName, resumeCursor), Unpooled.EMPTY_BUFFER);
            req.headers().set(HttpHeaderNames.HOST, target.getHostString() + ":" + target.getPort());
            ctx.writeAndFlush(req);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    if (r.status().code() == 200) {
                        established = true;
                        listener.established(PushConn.this);
                    } else {
                        ctx.close();
                    }
                }
                if (msg instanceof HttpContent c) {
                    lines(c.content());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** Splits on LF; a partial line waits for the next chunk. Blank (padding) lines are skipped. */
        private void lines(ByteBuf buf) {
            String s = buf.toString(StandardCharsets.UTF_8);
            int from = 0;
            int nl;
            while ((nl = s.indexOf('\n', from)) >= 0) {
                line.append(s, from, nl);
                if (!line.toString().isBlank()) {
                    onText(line.toString());
                }
                line.setLength(0);
                from = nl + 1;
            }
            line.append(s, from, s.length());
            if (line.length() > (1 << 20)) {
                line.setLength(0);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "PushConn[" + transport + " " + channelName + " established=" + established + " cursor=" + cursor + "]";
    }
}
