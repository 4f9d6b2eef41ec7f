package dev.halley.server.protocol.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.CloseReason;
import dev.halley.core.HalleyException;
import dev.halley.server.ServerContext;
import dev.halley.server.http.Json;
import dev.halley.server.http.ShutdownEvent;
import dev.halley.server.transport.websocket.WebSocketLifecycle;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bayeux's {@code websocket} transport on one upgraded connection: each text frame is a JSON array
 * of messages (or one message), and so is each frame the server sends. Everything runs on the
 * connection's event loop; session callbacks and timers hop there.
 *
 * <p><b>Delivery.</b> Without the ack extension, messages of the session last connected over this
 * connection are written as they arrive (the connection is the session's {@link BayeuxSession.Stream}),
 * many per frame, only while the socket is writable; the {@code /meta/connect} is held until its
 * {@code timeout} and answered then. With ack, as on HTTP, messages go only with connect answers,
 * so each answer closes a batch the client acknowledges.
 *
 * <p><b>Lifetime.</b> The connection is not the session: when it closes, the session's expiry
 * clock starts and a client that reconnects within {@code bayeux-max-interval} goes on with it
 * (with ack, unacknowledged messages are sent again). Liveness by ping after {@code heartbeat}; a
 * socket unwritable for {@code unwritable-timeout} is closed as {@code slow}; at shutdown a held
 * connect is answered (advising to handshake again) and the connection closes with 1001. Bad
 * input closes this connection only, with the codes of {@link WebSocketLifecycle}; a frame that
 * is JSON but not Bayeux gets an unsuccessful reply and the connection stays.
 */
final class BayeuxWebSocketHandler extends ChannelInboundHandlerAdapter implements BayeuxEngine.Carrier, BayeuxSession.Stream {
    private static final Logger log = LoggerFactory.getLogger(BayeuxWebSocketHandler.class);
    /** Messages taken from a session at a time (one frame); writability is checked between takes. */
    static final int BATCH = 64;

    private final BayeuxEngine engine;
    private final ServerContext server;
    private final String browserId;
    private ChannelHandlerContext ctx;
    private WebSocketLifecycle lifecycle;
    /** The session whose messages stream here (no ack), if any. */
    private BayeuxSession streamed;
    /** The connect held on this connection, if any. */
    private WsHold hold;
    private boolean draining;
    private boolean drainAgain;
    private boolean unflushed;

    /** @param browserId the upgrade request's {@code BAYEUX_BROWSER} cookie, or null */
    BayeuxWebSocketHandler(BayeuxEngine engine, String browserId) {
        this.engine = engine;
        this.server = engine.server();
        this.browserId = browserId;
    }

    @Override
    public ConnectionType type() {
        return ConnectionType.WEBSOCKET;
    }

    @Override
    public String browserId() {
        return browserId;
    }

    @Override
    public String browserIdForHandshake() {
        return browserId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.lifecycle = new WebSocketLifecycle(ctx, server) {
            @Override
            protected void ping() {
                ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
            }

            @Override
            protected void onClosing() {
                stopDeliveries();
            }
        };
        lifecycle.start();
    }

    // ---- inbound ---------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lifecycle.read(msg, this::onText, this::write);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
        ctx.fireChannelReadComplete();
    }

    private void onText(byte[] text) {
        List<JsonNode> batch;
        try {
            batch = BayeuxRoute.batch(server.json().parse(text));
        } catch (Json.TooDeepException e) {
            lifecycle.closeWith(CloseReason.BAD_DATA, true);
            return;
        } catch (HalleyException e) {
            server.metrics().error(e.error());
            writeFrame(List.of(Replies.bytes(Replies.failure((String) null, null, BayeuxError.MESSAGE_INVALID))));
            return;
        }
        engine.process(this, batch).whenComplete((out, failure) -> lifecycle.onLoop(() -> processed(out, failure)));
    }

    private void processed(BayeuxEngine.Outcome out, Throwable failure) {
        if (failure != null) {
            log.warn("Bayeux batch failed on {}: {}", ctx.channel(), failure.toString(), failure);
            lifecycle.closeWith(CloseReason.INTERNAL, true);
            return;
        }
        PendingConnect connect = out.connect;
        if (lifecycle.isClosing()) {
            if (connect != null) {
                connect.session.connectEnded(0);
            }
            return;
        }
        if (connect == null) {
            writeFrame(out.replies);
        } else if (connect.holdMillis == 0) {
            streamFrom(connect.session);
            List<byte[]> parts = new ArrayList<>(out.replies);
            parts.addAll(engine.answerConnect(connect, ConnectHold.End.NOW));
            writeFrame(parts);
            connect.session.connectEnded(0);
        } else {
            streamFrom(connect.session);
            if (!out.replies.isEmpty()) {
                writeFrame(out.replies);
            }
            hold = new WsHold(connect);
            hold.start();
        }
        flush();
    }

    /** Messages of {@code s} stream to this connection from now on, unless it acknowledges batches. */
    private void streamFrom(BayeuxSession s) {
        if (s.ack() || s == streamed) {
            return;
        }
        if (streamed != null) {
            streamed.unstream(this);
        }
        streamed = s;
        s.stream(this);
    }

    // ---- delivery --------------------------------------------------------------------------

    @Override
    public void messagesReady(BayeuxSession session) {
        lifecycle.execute(this::drain);
    }

    /** Writes what the streamed session holds while the socket is writable, then flushes once. */
    private void drain() {
        if (draining) {
            drainAgain = true;
            return;
        }
        if (lifecycle.isClosing() || streamed == null) {
            return;
        }
        draining = true;
        int messages = 0;
        try {
            do {
                drainAgain = false;
                while (ctx.channel().isWritable()) {
                    List<byte[]> batch = streamed.takeStreamed(BATCH);
                    if (batch.isEmpty()) {
                        break;
                    }
                    writeFrame(batch);
                    messages += batch.size();
                }
                flush();
            } while (drainAgain && !lifecycle.isClosing() && streamed != null);
        } finally {
            draining = false;
        }
        server.metrics().delivered(messages);
        lifecycle.watchUnwritable();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (lifecycle.writabilityChanged()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void writeFrame(List<byte[]> parts) {
        write(new TextWebSocketFrame(Unpooled.wrappedBuffer(Replies.array(parts))));
    }

    private void write(WebSocketFrame frame) {
        ctx.write(frame, ctx.voidPromise());
        unflushed = true;
    }

    private void flush() {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    // ---- the held connect ------------------------------------------------------------------

    /** A {@code /meta/connect} held on this connection. */
    private final class WsHold implements ConnectHold {
        final PendingConnect connect;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Timeout timeout;

        WsHold(PendingConnect connect) {
            this.connect = connect;
        }

        void start() {
            timeout = server.timer().newTimeout(t -> {
                if (connect.session.takeHold(this)) {
                    release(End.TIMEOUT);
                }
            }, connect.holdMillis, TimeUnit.MILLISECONDS);
            if (!connect.session.hold(this)) {
                release(End.ENDED);
            }
        }

        @Override
        public void release(End why) {
            if (end()) {
                lifecycle.execute(() -> answer(this, why));
            }
        }

        /** Once: stops the timer. */
        boolean end() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            Timeout t = timeout;
            if (t != null) {
                t.cancel();
            }
            return true;
        }
    }

    /** Writes the answer of {@code h} (unless the connection is closing), then starts the session's expiry clock. */
    private void answer(WsHold h, ConnectHold.End why) {
        if (hold == h) {
            hold = null;
        }
        if (!lifecycle.isClosing() && ctx.channel().isActive()) {
            writeFrame(engine.answerConnect(h.connect, why));
            flush();
        }
        h.connect.session.connectEnded(h.connect.advisedInterval());
    }

    // ---- the end ---------------------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ShutdownEvent) {
            shutdown();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Graceful shutdown: the held connect is answered (handshake again, elsewhere), then 1001. */
    private void shutdown() {
        if (lifecycle.isClosing()) {
            return;
        }
        WsHold h = hold;
        if (h != null && h.connect.session.takeHold(h) && h.end()) {
            answer(h, ConnectHold.End.SHUTDOWN);
        }
        lifecycle.closeWith(CloseReason.SHUTDOWN, true);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        lifecycle.failed(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    /** Stops deliveries: the session goes on without this connection, its expiry clock running. */
    private void stopDeliveries() {
        if (streamed != null) {
            streamed.unstream(this);
            streamed = null;
        }
        WsHold h = hold;
        hold = null;
        if (h != null && h.connect.session.takeHold(h) && h.end()) {
            h.connect.session.connectEnded(0);
        }
    }

    private void release() {
        stopDeliveries();
        lifecycle.release();
    }

    @Override
    public String toString() {
        return "BayeuxWebSocketHandler[" + (ctx == null ? "unbound" : ctx.channel()) + ", streamed=" + streamed
                + ", held=" + (hold != null) + ", " + lifecycle + "]";
    }
}
