package dev.halley.server.transport.websocket;

import dev.halley.core.CloseReason;
import dev.halley.server.ServerContext;
import dev.halley.server.http.ShutdownEvent;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import java.util.function.Function;

/**
 * One upgraded WebSocket connection carrying text messages: the frames and liveness, under a
 * {@link Conversation} that gives the messages their meaning (the native protocol through
 * {@link NativeConversation}, a SockJS session). How it ends is {@link WebSocketLifecycle}'s.
 * Everything runs on the connection's event loop; timer callbacks hop there.
 *
 * <p><b>Delivery.</b> The conversation writes text frames through this handler while the channel
 * is {@linkplain #writable() writable}, many frames then one {@link #flush()}, and is asked to
 * {@linkplain Conversation#drain() drain} again when it becomes writable. A socket unwritable for
 * {@code unwritable-timeout} is closed with 1008 {@code slow}; while unwritable the connection
 * also stops reading: requests would only make replies that cannot be written.
 *
 * <p><b>Liveness.</b> A ping after {@code heartbeat} without hearing from the client; nothing
 * within the next {@code heartbeat} closes it ({@code heartbeat_timeout}). Client pings get pongs.
 *
 * <p><b>Closing</b> ({@link WebSocketLifecycle}): a close frame whose status and reason come from
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
    /** Makes the conversation once the connection is upgraded (then dropped); null for the native protocol. */
    private Function<WebSocketHandler, Conversation> conversations;
    private ChannelHandlerContext ctx;
    /** How the connection ends, and its heartbeat. */
    private WebSocketLifecycle lifecycle;
    private Conversation conversation;
    private boolean unflushed;
    /** The conversation was told the connection closes. */
    private boolean stopped;

    /** The native protocol ({@code /ws}). */
    WebSocketHandler(ServerContext server) {
        this(server, null);
    }

    /** @param conversations makes the conversation of the connection, once it is upgraded */
    public WebSocketHandler(ServerContext server, Function<WebSocketHandler, Conversation> conversations) {
        this.server = server;
        this.conversations = conversations;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.lifecycle = new WebSocketLifecycle(ctx, server) {
            @Override
            protected void ping() {
                WebSocketHandler.this.ping();
            }

            @Override
            protected void onClosing() {
                closingStarted();
            }
        };
        lifecycle.start();
        this.conversation = conversations == null ? new NativeConversation(server, this) : conversations.apply(this);
        this.conversations = null;
    }

    // ---- inbound ---------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lifecycle.read(msg, conversation::onText, this::write);
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

    /** Writes a text frame of UTF-8 bytes, which it wraps and must not be changed after (not flushed). */
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
        lifecycle.watchUnwritable();
    }

    /** Closes for {@code reason} (counted); a slow client is not waited for: it may not read our close frame at all. */
    public void close(CloseReason reason) {
        lifecycle.closeWith(reason, reason != CloseReason.SLOW);
    }

    /** Closes with the conversation's own {@code status} (1000 or 3000–4999) and {@code reason}, waiting for the client's answer. */
    public void close(int status, String reason) {
        lifecycle.closeWith(status, reason);
    }

    public boolean isClosing() {
        return lifecycle.isClosing();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (lifecycle.writabilityChanged()) {
            conversation.drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void ping() {
        if (!lifecycle.isClosing()) {
            ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
        }
    }

    private void write(WebSocketFrame frame) {
        ctx.write(frame, ctx.voidPromise());
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
        if (lifecycle.isClosing()) {
            return;
        }
        conversation.onShutdown();
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

    /** Closing began (ours or the client's), or the connection is gone: the conversation stops. */
    private void closingStarted() {
        if (conversation != null && !stopped) {
            stopped = true;
            conversation.onClosed(lifecycle.closing());
        }
    }

    private void release() {
        closingStarted();
        lifecycle.release();
    }

    @Override
    public String toString() {
        return "WebSocketHandler[" + conversation + ", " + lifecycle + "]";
    }
}
