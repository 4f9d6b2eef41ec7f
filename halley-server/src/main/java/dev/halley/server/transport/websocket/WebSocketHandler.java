package dev.halley.server.transport.websocket;

import dev.halley.core.CloseReason;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded WebSocket connection: the frames, liveness and closing handshake, under a
 * {@link Conversation} that gives the text messages their meaning (the native protocol through
 * {@link NativeConversation}, a SockJS session). Everything runs on the connection's event loop;
 * timer callbacks hop there.
 *
 * <p><b>Delivery.</b> The conversation writes text frames through this handler while the channel
 * is {@linkplain #writable() writable}, many frames then one {@link #flush()}, and is asked to
 * {@link Conversation#drain() drain} again when it becomes writable. A socket unwritable for
 * {@code unwritable-timeout} is closed with 1008 {@code slow}. While the socket is unwritable the
 * connection also stops reading: requests would only make replies that cannot be written.
 *
 * <p><b>Liveness.</b> A ping after {@code heartbeat} without hearing from the client; nothing
 * within the next {@code heartbeat} closes it ({@code heartbeat_timeout}). Client pings get pongs.
 *
 * <p><b>Closing</b> ({@link #closeWith}): a close frame whose status and reason come from
 * {@link CloseReason}, counted in metrics, or the conversation's own ({@link #close(int, String)}).
 * Bad input closes this connection only: a message over {@code max-ws-message} 1009, invalid
 * UTF-8 1007, a binary message 1003, a bug here 1011 (logged); the conversation adds its own
 * (JSON nested too deep, publishing over the rate). Shutdown lets the conversation write a last
 * notice, then closes with 1001.
 *
 * <p><b>Buffers.</b> Inbound frames are released here once handled. Outbound frames own their
 * buffer (a wrapper of heap bytes) and are released by the encoder, or by Netty when a write fails.
 */
public final class WebSocketHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);
    /** How long a closing handshake may take before the connection is closed regardless. */
    static final long CLOSE_TIMEOUT_MILLIS = 2000;

    /** What speaks over the connection; called on its event loop. */
    public interface Conversation {
        /** One whole text message from the client (valid UTF-8). */
        void onText(byte[] utf8);

        /** The socket can take more: write what waits, then {@link WebSocketHandler#flush()}. */
        void drain();

        /** A graceful shutdown begins: write a last notice if any; the handler then closes with 1001. */
        void onShutdown();

        /**
         * The connection is closing or closed: stop. Called once, with why: the reason the handler
         * closes for, {@link CloseReason#NORMAL} when the client closed or the conversation chose
         * its own status, null when the connection dropped without a closing handshake.
         */
        void onClosed(CloseReason reason);
    }

    private final ServerContext server;
    private final Function<WebSocketHandler, Conversation> conversations;
    private ChannelHandlerContext ctx;
    private Conversation conversation;
    private Heartbeat heartbeat;
    private Timeout unwritable;
    private Timeout closeTimeout;
    private boolean unflushed;
    /** Why the connection is closing; null while open. */
    private CloseReason closing;
    /** The conversation was told the connection closes. */
    private boolean stopped;

    /** @param conversations makes the conversation of the connection, once it is upgraded */
    public WebSocketHandler(ServerContext server, Function<WebSocketHandler, Conversation> conversations) {
        this.server = server;
        this.conversations = conversations;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.heartbeat = new Heartbeat(server.timer(), ctx.executor(), server.config().heartbeat().toNanos(),
                this::ping, () -> closeWith(CloseReason.HEARTBEAT_TIMEOUT, false));
        heartbeat.start();
        this.conversation = conversations.apply(this);
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
            conversation.onText(ByteBufUtil.getBytes(frame.content()));
        } else if (frame instanceof PingWebSocketFrame) {
            write(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame close) {
            closedByClient(close);
        } else if (!(frame instanceof PongWebSocketFrame)) {
            closeWith(CloseReason.UNSUPPORTED_DATA, true); // binary: the protocols here are text
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushWrites();
        ctx.fireChannelReadComplete();
    }

    // ---- for the conversation -------------------------------------------------------------

    public EventExecutor loop() {
        return ctx.executor();
    }

    /** Writes a text frame (not flushed). */
    public void text(String text) {
        write(new TextWebSocketFrame(text));
    }

    /** Writes a text frame of UTF-8 bytes, which it takes (not flushed). */
    public void text(byte[] utf8) {
        write(new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8)));
    }

    /** Writes a whole frame already encoded (shared by every subscriber of a message); the encoder lets it pass. */
    public void encoded(byte[] frame) {
        ctx.write(Unpooled.wrappedBuffer(frame), ctx.voidPromise());
        unflushed = true;
    }

    public boolean writable() {
        return ctx.channel().isWritable();
    }

    /** Flushes a round of writes; a socket left unwritable is watched. */
    public void flush() {
        flushWrites();
        if (!ctx.channel().isWritable()) {
            watchUnwritable();
        }
    }

    /** Closes for {@code reason} (counted); a slow client is not waited for: it may not read our close frame at all. */
    public void close(CloseReason reason) {
        closeWith(reason, reason != CloseReason.SLOW);
    }

    /** Closes with the conversation's own {@code status} (1000 or 3000–4999) and {@code reason}, waiting for the client's answer. */
    public void close(int status, String reason) {
        closeWith(CloseReason.NORMAL, new CloseWebSocketFrame(status, reason), true);
    }

    public boolean isClosing() {
        return closing != null;
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
            conversation.drain();
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

    /** Graceful shutdown: the conversation's last words, then 1001. */
    private void shutdown() {
        if (closing != null) {
            return;
        }
        conversation.onShutdown();
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
        if (closing == null) {
            server.metrics().closed(reason);
        }
        closeWith(reason, new CloseWebSocketFrame(reason.webSocketStatus(), reason.code()), waitForClient);
    }

    private void closeWith(CloseReason reason, CloseWebSocketFrame frame, boolean waitForClient) {
        if (closing != null) {
            frame.release();
            return;
        }
        closing = reason;
        log.debug("closing {}: {} {}", ctx.channel(), frame.statusCode(), frame.reasonText());
        stopDelivery();
        Channel ch = ctx.channel();
        ch.config().setAutoRead(true); // to see the client's answer
        if (!waitForClient && !ch.isWritable()) {
            frame.release();
            ctx.close();
            return;
        }
        ctx.writeAndFlush(frame)
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
        if (conversation != null && !stopped) {
            stopped = true;
            conversation.onClosed(closing);
        }
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
        return "WebSocketHandler[" + (ctx == null ? "unbound" : ctx.channel()) + ", " + conversation
                + (closing != null ? ", closing " + closing.code() : "") + "]";
    }
}
