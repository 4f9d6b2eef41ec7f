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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One held push subscription to one channel or several (a chat client's rooms), over WebSocket
 * (one subscribe per channel), an HTTP stream (NDJSON, SSE, forever frame; the channels as
 * repeated {@code channel=}) or a SockJS session ({@link SockJsConn}: the WebSocket's subscribes
 * and messages as SockJS messages). Lines (or frames) are scanned for messages, which go to the
 * {@link Listener} on the connection's event loop. Inbound buffers are released here, as soon as scanned.
 */
public final class PushConn {
    private final Transport transport;
    private final List<String> channelNames;
    private final Listener listener;
    /** Messages numbered by the publisher's {@code "n"} (peers), not by Halley's offsets. */
    private final boolean sequenced;
    private final StringBuilder line = new StringBuilder();
    private volatile Channel channel;
    /** The SockJS session, for the SockJS transports (it owns its connections). */
    private volatile SockJsConn sockJs;
    private volatile String cursor;
    private volatile String epoch;
    private volatile boolean established;
    /** WebSocket subscribe replies received (event loop only). */
    private int subscribeReplies;

    /** What a subscription's owner hears, on the connection's event loop. */
    public interface Listener {
        /** The subscription is in place (WS subscribe reply, or the stream's response head). */
        void established(PushConn conn);

        /** One message; {@code channel} is the subscription's when it has one channel, else the message's own. */
        void message(PushConn conn, String channel, long offset, long stampNanos);

        void closed(PushConn conn, boolean wasEstablished);
    }

    public PushConn(Transport transport, String channelName, Listener listener) {
        this(transport, List.of(channelName), listener);
    }

    public PushConn(Transport transport, List<String> channelNames, Listener listener) {
        this(transport, channelNames, listener, false);
    }

    /**
     * A subscription to a peer server ({@code sequenced}) whose messages carry no Halley offset: each
     * message is numbered by the publisher's sequence ({@code "n"} in its data), as
     * {@link Publisher#open(Loops, InetSocketAddress, String, int, String, boolean)} writes it.
     */
    public PushConn(Transport transport, List<String> channelNames, Listener listener, boolean sequenced) {
        this.transport = transport;
        this.channelNames = List.copyOf(channelNames);
        this.listener = listener;
        this.sequenced = sequenced;
    }

    public List<String> channels() {
        return channelNames;
    }

    /**
     * Opens the connection and subscribes; {@code resumeCursor} (HTTP streams) or
     * {@code sinceOffset} ≥ 0 (WebSocket, with the last epoch seen; the same offset for every
     * channel, so 0 asks each for its whole history) resumes, otherwise live.
     */
    public ChannelFuture open(Loops loops, InetSocketAddress target, String resumeCursor, long sinceOffset) {
        if (transport.isSockJs()) {
            sockJs = new SockJsConn(transport, subscribes(sinceOffset), new SockJsListener());
            return sockJs.open(loops, target);
        }
        ChannelFuture f = loops.bootstrap().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (transport == Transport.WS) {
                    WsTextHandler.install(ch, target, "/ws", new WsListener(sinceOffset));
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
        if (sockJs != null) {
            sockJs.close();
            return;
        }
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
            epoch = epoch != null ? epoch : WireScan.string(text, "epoch");
            listener.established(this);
        }
        if (text.indexOf("\"cursor\":\"") >= 0) {
            cursor = WireScan.cursor(text);
        } else if (text.startsWith("id: ")) {
            cursor = text.substring(4).trim();
        }
        if (sequenced) {
            // An installed peer's framing around the published message object: brace-delimited, numbered by "n".
            String only = channelNames.size() == 1 ? channelNames.get(0) : null;
            WireScan.bayeuxMessages(text, (channel, n, stamp) -> listener.message(this, only != null ? only : channel, n, stamp));
        } else if (transport.isSockJs() && text.indexOf("\"offset\":") < 0) {
            // A peer's message carries no offset: it is numbered by the publisher's sequence ("n").
            WireScan.bayeuxMessages(text, (channel, n, stamp) -> listener.message(this, channel, n, stamp));
        } else if (channelNames.size() == 1) {
            String only = channelNames.get(0);
            WireScan.messages(text, (offset, stamp) -> listener.message(this, only, offset, stamp));
        } else {
            WireScan.messages(text, (channel, offset, stamp) -> listener.message(this, channel, offset, stamp));
        }
    }

    /** Streams: the response head (see StreamHandler). WebSocket, SockJS: the reply to the last channel's subscribe. */
    private boolean isReady(String text) {
        if (transport != Transport.WS && !transport.isSockJs()) {
            return true;
        }
        if (text.contains("\"ok\":true")) {
            subscribeReplies++;
            if (subscribeReplies == 1) {
                epoch = WireScan.string(text, "epoch");
            }
        }
        return subscribeReplies >= channelNames.size();
    }

    private void closed() {
        listener.closed(this, established);
    }

    /** One subscribe request per channel, from {@code since} (with the last epoch seen) when ≥ 0, else live. */
    private List<String> subscribes(long since) {
        String resume = since >= 0
                ? ",\"since\":" + since + (epoch != null ? ",\"epoch\":\"" + epoch + "\"" : "") : "";
        List<String> requests = new ArrayList<>(channelNames.size());
        for (int i = 0; i < channelNames.size(); i++) {
            requests.add("{\"op\":\"subscribe\",\"channel\":\"" + channelNames.get(i) + "\"" + resume + ",\"id\":" + (i + 1) + "}");
        }
        return requests;
    }

    /** SockJS: each message of the session is a WebSocket frame's text. */
    private final class SockJsListener implements SockJsConn.Listener {
        @Override
        public void message(String text) {
            onText(text);
        }

        @Override
        public void closed() {
            PushConn.this.closed();
        }
    }

    /** WebSocket: one subscribe per channel once upgraded, then every text frame scanned. */
    private final class WsListener implements WsTextHandler.Listener {
        private final long since;

        WsListener(long since) {
            this.since = since;
        }

        @Override
        public void opened(Channel ch) {
            subscribes(since).forEach(s -> ch.write(new TextWebSocketFrame(s)));
            ch.flush();
        }

        @Override
        public void text(String text) {
            onText(text);
        }

        @Override
        public void closed() {
            PushConn.this.closed();
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
                    transport.uri(channelNames, resumeCursor), Unpooled.EMPTY_BUFFER);
            req.headers().set(HttpHeaderNames.HOST, target.getHostString() + ":" + target.getPort());
            if (transport == Transport.SSE) {
                // What an EventSource sends; Nchan's eventsource subscriber requires it.
                req.headers().set(HttpHeaderNames.ACCEPT, "text/event-stream");
            }
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
        return "PushConn[" + transport + " " + channelNames + " established=" + established + " cursor=" + cursor
                + (sockJs != null ? " " + sockJs : "") + "]";
    }
}
