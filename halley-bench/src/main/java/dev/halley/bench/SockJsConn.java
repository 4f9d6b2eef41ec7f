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
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One SockJS session (protocol 0.3.3) of a bench client on a server's {@code channels} service,
 * at {@code /sockjs/channels/{server}/{session}/…} on Halley and on the Vert.x peer alike, as
 * {@code sockjs-client} drives it:
 * <ul>
 *   <li>{@link Transport#SOCKJS_WS}: a WebSocket to {@code …/websocket}; each text frame is one
 *       SockJS frame, and the client sends {@code ["m1",…]} frames;</li>
 *   <li>{@link Transport#SOCKJS_XHR_STREAMING}: {@code POST …/xhr_streaming}, whose body is a
 *       2 KiB {@code h} prelude line and then one frame per line; the client sends with
 *       {@code POST …/xhr_send} on a connection of its own (closed after the 204). A stream the
 *       server ends (its byte budget, 128 KiB on both servers) is followed at once by the next
 *       {@code POST …/xhr_streaming}, on the same keep-alive connection, or a new one if the
 *       server closed it; the session keeps what arrives in between.</li>
 * </ul>
 * Frames: {@code o} (the session opened: {@code onOpen} messages are sent then), {@code h}
 * (heartbeat), {@code a[…]} (messages: each goes to the {@link Listener}, unescaped) and
 * {@code c[code,"reason"]} (the server closed the session). All on the connection's event loop;
 * inbound buffers are released here as soon as scanned.
 */
final class SockJsConn {
    /** The service both servers bridge to their channels. */
    static final String SERVICE = "/sockjs/channels";

    private final Transport transport;
    private final List<String> onOpen;
    private final Listener listener;
    /** {@code /sockjs/channels/{server}/{session}}: a random server number and session id, as sockjs-client makes them. */
    private final String sessionPath;
    private final AtomicBoolean ended = new AtomicBoolean();
    private Loops loops;
    private InetSocketAddress target;
    private volatile Channel receiving;
    /** We are closing: the connection's end is ours, not news. */
    private volatile boolean closing;
    /** The server sent its close frame: no next stream. */
    private volatile boolean closedByServer;
    /** xhr_streaming responses taken so far (a new one after each budget). */
    private volatile int streams;

    /** What the session's owner hears, on the event loop of its receiving connection. */
    interface Listener {
        /** One message the server sent (the text of one element of an {@code a[…]} frame). */
        void message(String text);

        /** The session ended: a close frame, the receiving connection lost, or a failed connect or send. Once. */
        void closed();
    }

    /** A session over {@code transport} (a SockJS one) that sends {@code onOpen} as soon as it opens. */
    SockJsConn(Transport transport, List<String> onOpen, Listener listener) {
        if (!transport.isSockJs()) {
            throw new IllegalArgumentException("not a SockJS transport: " + transport);
        }
        this.transport = transport;
        this.onOpen = List.copyOf(onOpen);
        this.listener = listener;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.sessionPath = String.format("%s/%03d/%016x", SERVICE, r.nextInt(1000), r.nextLong());
    }

    /** Connects the receiving side; a failed connect is reported as {@link Listener#closed()}. */
    ChannelFuture open(Loops loops, InetSocketAddress target) {
        this.loops = loops;
        this.target = target;
        ChannelFuture f = transport == Transport.SOCKJS_WS
                ? WsTextHandler.connect(loops, target, sessionPath + "/websocket", new WsListener())
                : connectStream();
        receiving = f.channel();
        return f;
    }

    /** How many xhr_streaming responses the session has taken (0 for websocket). */
    int streams() {
        return streams;
    }

    void close() {
        closing = true;
        Channel c = receiving;
        if (c != null) {
            c.close();
        }
    }

    /** One SockJS frame, whichever transport carried it. */
    private void frame(String frame, Channel ch) {
        if (frame.isEmpty()) {
            return;
        }
        switch (frame.charAt(0)) {
            case 'o' -> opened(ch);
            case 'a' -> SockJsFrames.messages(frame, listener::message);
            case 'c' -> {
                closedByServer = true;
                ch.close();
            }
            default -> {
                // 'h': a heartbeat (the xhr_streaming prelude is a line of them)
            }
        }
    }

    private void opened(Channel ch) {
        if (onOpen.isEmpty()) {
            return;
        }
        String array = SockJsFrames.array(onOpen);
        if (transport == Transport.SOCKJS_WS) {
            ch.writeAndFlush(new TextWebSocketFrame(array), ch.voidPromise());
        } else {
            send(array);
        }
    }

    /** {@code POST …/xhr_send} on a connection of its own; anything but 204 ends the session. */
    private void send(String array) {
        HttpConn[] conn = new HttpConn[1];
        HttpConn.connect(loops, target, new HttpConn.Listener() {
            @Override
            public void response(int status, String body) {
                conn[0].close();
                if (status != 204) {
                    close();
                }
            }

            @Override
            public void closed(Throwable cause) {
            }
        }, c -> {
            conn[0] = c;
            c.postJson(sessionPath + "/xhr_send", array);
        }, failure -> close());
    }

    private void ended() {
        if (ended.compareAndSet(false, true)) {
            listener.closed();
        }
    }

    private ChannelFuture connectStream() {
        ChannelFuture f = loops.bootstrap().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new StreamHandler());
            }
        }).connect(target);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                ended();
            }
        });
        return f;
    }

    /** The websocket transport: every text frame is one SockJS frame. */
    private final class WsListener implements WsTextHandler.Listener {
        private Channel ch;

        @Override
        public void opened(Channel channel) {
            ch = channel;
        }

        @Override
        public void text(String text) {
            frame(text, ch);
        }

        @Override
        public void closed() {
            ended();
        }
    }

    /** The xhr_streaming transport: one stream after another on this connection, frames split on LF. */
    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final StringBuilder line = new StringBuilder();
        /** A stream ended and the next one has no response head yet. */
        private boolean between;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            receiving = ctx.channel();
            if (closing) {
                ctx.close();
            } else {
                nextStream(ctx);
            }
            ctx.fireChannelActive();
        }

        private void nextStream(ChannelHandlerContext ctx) {
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                    sessionPath + "/xhr_streaming", Unpooled.EMPTY_BUFFER);
            req.headers().set(HttpHeaderNames.HOST, target.getHostString() + ":" + target.getPort());
            HttpUtil.setContentLength(req, 0);
            streams++;
            ctx.writeAndFlush(req, ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    between = false;
                    if (r.status().code() != 200) {
                        ctx.close();
                        return;
                    }
                }
                if (msg instanceof HttpContent c) {
                    lines(c.content(), ctx.channel());
                }
                if (msg instanceof LastHttpContent && ctx.channel().isActive()) {
                    between = true;
                    line.setLength(0);
                    if (closedByServer || closing) {
                        ctx.close();
                    } else {
                        nextStream(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void lines(ByteBuf buf, Channel ch) {
            String s = buf.toString(StandardCharsets.UTF_8);
            int from = 0;
            int nl;
            while ((nl = s.indexOf('\n', from)) >= 0) {
                line.append(s, from, nl);
                frame(line.toString(), ch);
                line.setLength(0);
                from = nl + 1;
            }
            line.append(s, from, s.length());
            if (line.length() > (1 << 20)) {
                // A line over 1 MiB is not SockJS: give up on the session.
                line.setLength(0);
                ch.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The server may close a connection between two streams; the session lives on.
            if (between && !closing && !closedByServer) {
                connectStream();
            } else {
                ended();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "SockJsConn[" + transport + " " + sessionPath + (transport == Transport.SOCKJS_XHR_STREAMING ? " streams=" + streams : "")
                + (closedByServer ? " closed by server" : "") + (ended.get() ? " ended" : "") + "]";
    }
}
