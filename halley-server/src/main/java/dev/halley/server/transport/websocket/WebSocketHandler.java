package dev.halley.server.transport.websocket;

import dev.halley.core.CloseReason;
import dev.halley.core.Delivery;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import dev.halley.server.ServerContext;
import dev.halley.server.http.ShutdownEvent;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Timeout;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native protocol on one upgraded WebSocket connection: the frames of a {@link NativeSession}
 * (request texts in, replies, messages and gap notices out). Everything runs on the connection's
 * event loop; timer callbacks hop there.
 *
 * <p><b>Delivery.</b> The session is drained only while the channel is writable, many frames
 * then one flush, and again when it becomes writable. Each message goes out as one text frame
 * encoded once for all subscribers ({@link TextFrames}). A client that overflows its feed, or
 * keeps the socket unwritable for {@code unwritable-timeout}, is closed with 1008 {@code slow};
 * it resumes from its cursor. While the socket is unwritable the connection also stops reading:
 * requests would only make replies that cannot be written.
 *
 * <p><b>Liveness.</b> A ping after {@code heartbeat} without hearing from the client; nothing
 * within the next {@code heartbeat} closes it ({@code heartbeat_timeout}). Client pings get pongs.
 *
 * <p><b>Closing</b> ({@link #closeWith}): a close frame whose status and reason come from
 * {@link CloseReason}, counted in metrics. Bad input closes this connection only: a message over
 * {@code max-ws-message} 1009, invalid UTF-8 or JSON nested too deep 1007, a binary message 1003,
 * publishing over the rate again and again 1008, a bug here 1011 (logged). Shutdown sends a
 * {@code {"reconnect":true,"reason":"shutdown","cursor":…}} frame, then 1001.
 *
 * <p><b>Buffers.</b> Inbound frames are released here once handled. Outbound frames own their
 * buffer (a wrapper of heap bytes) and are released by the encoder, or by Netty when a write fails.
 */
final class WebSocketHandler extends ChannelInboundHandlerAdapter implements NativeSession.Output {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);
    /** How long a closing handshake may take before the connection is closed regardless. */
    static final long CLOSE_TIMEOUT_MILLIS = 2000;

    private final ServerContext server;
    private ChannelHandlerContext ctx;
    private NativeSession session;
    private Heartbeat heartbeat;
    private Timeout unwritable;
    private Timeout closeTimeout;
    private boolean unflushed;
    /** Why the connection is closing; null while open. */
    private CloseReason closing;

    WebSocketHandler(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.session = new NativeSession(server, this);
        this.heartbeat = new Heartbeat(server.timer(), ctx.executor(), server.config().heartbeat().toNanos(),
                this::ping, () -> closeWith(CloseReason.HEARTBEAT_TIMEOUT, false));
        heartbeat.start();
    }

    // ---- inbound ---------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing != null) {
                if (msg instanceof CloseWebSocketFrame) {
                    ctx.close(); // the client answered our close frame
                }
            } else if (msg instanceof WebSocketFrame frame) {
                heartbeat.heard();
                onFrame(frame);
            } else {
                // Bytes the HTTP codec still held when it was removed: a client that did not wait for the 101.
                closeWith(CloseReason.PROTOCOL_ERROR, true);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onFrame(WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            session.request(ByteBufUtil.getBytes(frame.content()));
        } else if (frame instanceof PingWebSocketFrame) {
            write(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame close) {
            closedByClient(close);
        } else if (!(frame instanceof PongWebSocketFrame)) {
            closeWith(CloseReason.UNSUPPORTED_DATA, true); // binary: this protocol is JSON text
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushWrites();
        ctx.fireChannelReadComplete();
    }

    // ---- the session's output --------------------------------------------------------------

    @Override
    public EventExecutor loop() {
        return ctx.executor();
    }

    @Override
    public void reply(String json) {
        write(new TextWebSocketFrame(json));
    }

    @Override
    public void deliver(Delivery d) {
        if (d instanceof Message m) {
            writeEncoded(TextFrames.of(m));
        } else if (d instanceof Gap g) {
            write(new TextWebSocketFrame(Unpooled.wrappedBuffer(g.json())));
        }
    }

    @Override
    public boolean writable() {
        return ctx.channel().isWritable();
    }

    /** Flushes a round of writes; a socket left unwritable is watched. */
    @Override
    public void flush() {
        flushWrites();
        if (!ctx.channel().isWritable()) {
            watchUnwritable();
        }
    }

    /** A slow client is not waited for: it may not read our close frame at all. */
    @Override
    public void close(CloseReason reason) {
        closeWith(reason, reason != CloseReason.SLOW);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (closing == null) {
            ctx.channel().config().setAutoRead(writable);
        }
        if (writable) {
            cancel(unwritable);
            unwritable = null;
            session.drain();
        } else {
            watchUnwritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void watchUnwritable() {
        if (unwritable != null || closing != null) {
            return;
        }
        unwritable = server.timer().newTimeout(t -> execute(() -> {
            if (unwritable == t) {
                unwritable = null;
                if (!ctx.channel().isWritable()) {
                    closeWith(CloseReason.SLOW, false);
                }
            }
        }), server.config().unwritableTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ping() {
        if (closing == null) {
            ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
        }
    }

    private void write(WebSocketFrame frame) {
        ctx.write(frame, ctx.voidPromise());
        unflushed = true;
    }

    /** A frame already encoded (shared by every subscriber of the message); the encoder lets it pass. */
    private void writeEncoded(byte[] frame) {
        ctx.write(Unpooled.wrappedBuffer(frame), ctx.voidPromise());
        unflushed = true;
    }

    private void flushWrites() {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    // ---- closing ---------------------------------------------------------------------------

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ShutdownEvent) {
            shutdown();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Graceful shutdown: what is queued (if the socket takes it), a reconnect notice with the cursor, 1001. */
    private void shutdown() {
        if (closing != null) {
            return;
        }
        session.drain();
        reply(ReplyFrames.reconnect(CloseReason.SHUTDOWN, session.cursor()));
        closeWith(CloseReason.SHUTDOWN, true);
    }

    /**
     * Starts the closing handshake (RFC 6455 §7.1.2) with {@code reason}: stops deliveries and the
     * heartbeat and sends the close frame. With {@code waitForClient} the TCP connection is closed
     * when the client answers (close frame or EOF), so that it reads our close frame: closing with
     * its input unread would reset the connection and lose the frame. Without (the client is dead
     * or not reading), as soon as the frame is written, or at once when the socket is unwritable.
     * Either way it is closed within {@link #CLOSE_TIMEOUT_MILLIS}.
     */
    private void closeWith(CloseReason reason, boolean waitForClient) {
        if (closing != null) {
            return;
        }
        closing = reason;
        server.metrics().closed(reason);
        log.debug("closing {}: {}", ctx.channel(), reason.code());
        stopDelivery();
        Channel ch = ctx.channel();
        ch.config().setAutoRead(true); // to see the client's answer
        if (!waitForClient && !ch.isWritable()) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new CloseWebSocketFrame(reason.webSocketStatus(), reason.code()))
                .addListener(waitForClient ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        closeTimeout = server.timer().newTimeout(t -> execute(ctx::close), CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The client started the closing handshake: echo its status code, then close. Not counted: its choice. */
    private void closedByClient(CloseWebSocketFrame frame) {
        closing = CloseReason.NORMAL;
        stopDelivery();
        int status = frame.statusCode();
        ctx.writeAndFlush(status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, ""))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("closing {} after {}", ctx.channel(), cause.toString());
            ctx.close();
        } else if (closing != null) {
            // Leftovers of a violation that is already being answered (e.g. the rest of a bad message).
            log.debug("while closing {}: {}", ctx.channel(), cause.toString());
        } else if (cause instanceof CorruptedWebSocketFrameException c) {
            closeWith(switch (c.closeStatus().code()) {
                case 1009 -> CloseReason.TOO_LARGE;
                case 1007 -> CloseReason.BAD_DATA;
                default -> CloseReason.PROTOCOL_ERROR;
            }, true);
        } else if (cause instanceof TooLongFrameException) {
            closeWith(CloseReason.TOO_LARGE, true); // a fragmented message over max-ws-message
        } else {
            log.warn("WebSocket connection {} failed: {}", ctx.channel(), cause.toString(), cause);
            closeWith(CloseReason.INTERNAL, true);
        }
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

    private void stopDelivery() {
        session.close();
        heartbeat.stop();
        cancel(unwritable);
        unwritable = null;
    }

    private void release() {
        stopDelivery();
        cancel(closeTimeout);
        closeTimeout = null;
    }

    private static void cancel(Timeout t) {
        if (t != null) {
            t.cancel();
        }
    }

    /** Runs {@code task} on this connection's event loop as a new task (from a broker thread, the timer or the loop itself). */
    private void execute(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the server; the connection goes with it.
        }
    }

    @Override
    public String toString() {
        return "WebSocketHandler[" + (ctx == null ? "unbound" : ctx.channel()) + ", " + session
                + (closing != null ? ", closing " + closing.code() : "") + "]";
    }
}
