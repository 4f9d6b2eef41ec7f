package dev.halley.server.transport.websocket;

import dev.halley.core.CloseReason;
import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Timeout;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one upgraded WebSocket connection ends, whatever protocol it speaks (Halley's own frames,
 * Bayeux): the closing handshake with a {@link CloseReason}, the answer to a client's close, the
 * mapping of codec failures to close codes, and the watch on a socket that stays unwritable.
 * Owned by the connection's handler; every method runs on the connection's event loop.
 *
 * <p>{@link #closeWith} (RFC 6455 §7.1.2) stops the handler's deliveries (the {@code onClosing}
 * callback) and sends the close frame. With {@code waitForClient} the TCP connection is closed
 * when the client answers (close frame or EOF), so that it reads our close frame: closing with its
 * input unread would reset the connection and lose the frame. Without (the client is dead or not
 * reading), as soon as the frame is written, or at once when the socket is unwritable. Either way
 * it is closed within {@link #CLOSE_TIMEOUT_MILLIS}. Each server-initiated close is counted in
 * metrics by reason.
 *
 * <p>It also makes messages of frames ({@link #read}): a message sent in fragments is gathered up
 * to {@code max-ws-message} (over it: 1009), and text is checked to be UTF-8 fragment by fragment
 * (not: 1007), as Netty's frame aggregator and UTF-8 validator did in two pipeline handlers of
 * their own. A message in one frame, the common case, is not copied.
 *
 * <p>And it is the connection's {@link Heartbeat} (liveness is part of how a connection ends:
 * silence closes it as {@link CloseReason#HEARTBEAT_TIMEOUT}), so that the handler makes one
 * object, an anonymous subclass that sends its pings and stops its deliveries
 * ({@link #onClosing()}), where it made a lifecycle, a heartbeat and their callbacks.
 */
public abstract class WebSocketLifecycle extends Heartbeat {
    private static final Logger log = LoggerFactory.getLogger(WebSocketLifecycle.class);
    /** How long a closing handshake may take before the connection is closed regardless. */
    static final long CLOSE_TIMEOUT_MILLIS = 2000;
    /** Fragments gathered in one buffer before they are consolidated (as Netty's aggregator). */
    private static final int MAX_COMPONENTS = 1024;

    private final ChannelHandlerContext ctx;
    private final ServerContext server;
    private CloseReason closing;
    private Timeout closeTimeout;
    private Timeout unwritable;
    /** The fragments of a message so far; null between messages. */
    private CompositeByteBuf message;
    /** The message being read is text (else binary). */
    private boolean text;
    /** Where the UTF-8 check of the text being read stands ({@link Utf8Scanner}). */
    private int utf8;

    /** The lifecycle of the connection of {@code ctx}; its heartbeat starts with {@link #start()}. */
    protected WebSocketLifecycle(ChannelHandlerContext ctx, ServerContext server) {
        super(server.wheel(ctx.executor()), server.config().heartbeat().toNanos());
        this.ctx = ctx;
        this.server = server;
    }

    /** Closing started (ours or the client's): the handler stops its deliveries. Called once; the heartbeat has stopped. */
    protected abstract void onClosing();

    @Override
    protected final void dead() {
        closeWith(CloseReason.HEARTBEAT_TIMEOUT, false);
    }

    /** Whether closing has started (by us or by the client). */
    public boolean isClosing() {
        return closing != null;
    }

    /** Why the connection is closing ({@link CloseReason#NORMAL} for the client's or the protocol's own close), or null. */
    public CloseReason closing() {
        return closing;
    }

    /** Starts the closing handshake with {@code reason}; a no-op once closing. */
    public void closeWith(CloseReason reason, boolean waitForClient) {
        if (closing != null) {
            return;
        }
        server.metrics().closed(reason);
        close(reason, reason.webSocketStatus(), reason.code(), waitForClient);
    }

    /**
     * Starts the closing handshake with a status and reason of the protocol spoken (an application
     * close such as SockJS's {@code 3000 "Go away!"}), waiting for the client's answer; not counted
     * as a server close. A no-op once closing.
     */
    public void closeWith(int status, String reason) {
        if (closing == null) {
            close(CloseReason.NORMAL, status, reason, true);
        }
    }

    private void close(CloseReason why, int status, String reason, boolean waitForClient) {
        closing = why;
        log.debug("closing {}: {} {}", ctx.channel(), status, reason);
        closingStarted();
        Channel ch = ctx.channel();
        ch.config().setAutoRead(true); // to see the client's answer
        if (!waitForClient && !ch.isWritable()) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new CloseWebSocketFrame(status, reason))
                .addListener(waitForClient ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        closeTimeout = server.timer().newTimeout(t -> execute(ctx::close), CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The client started the closing handshake: echo its status code, then close. Not counted: its choice. */
    private void closedByClient(CloseWebSocketFrame frame) {
        closing = CloseReason.NORMAL;
        closingStarted();
        int status = frame.statusCode();
        ctx.writeAndFlush(status < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status, ""))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * One inbound object, released here: text messages go to {@code onText} (their bytes, once
     * whole), pings are answered through {@code write}, a close frame starts the client's closing,
     * a binary message closes 1003 (these doors speak JSON text) and bytes the HTTP codec still
     * held (a client that did not wait for the 101) close 1002. While closing, only the client's
     * close frame matters. Every frame counts as hearing from the client for {@code heartbeat}.
     */
    public void read(Object msg, Consumer<byte[]> onText, Consumer<WebSocketFrame> write) {
        try {
            if (closing != null) {
                if (msg instanceof CloseWebSocketFrame) {
                    ctx.close(); // the client answered our close frame
                }
            } else if (msg instanceof WebSocketFrame frame) {
                heard();
                onFrame(frame, onText, write);
            } else {
                closeWith(CloseReason.PROTOCOL_ERROR, true);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onFrame(WebSocketFrame frame, Consumer<byte[]> onText, Consumer<WebSocketFrame> write) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
            onData(frame, onText);
        } else if (frame instanceof PingWebSocketFrame) {
            write.accept(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame close) {
            closedByClient(close);
        } else if (!(frame instanceof PongWebSocketFrame)) {
            closeWith(CloseReason.UNSUPPORTED_DATA, true);
        }
    }

    /**
     * A data frame: a whole message, or a fragment of one (the frame decoder has checked that
     * fragments come in order, RFC 6455 section 5.4). Text is checked as it comes; the message goes
     * on once its last fragment is in.
     */
    private void onData(WebSocketFrame frame, Consumer<byte[]> onText) {
        boolean first = !(frame instanceof ContinuationWebSocketFrame);
        if (first) {
            text = frame instanceof TextWebSocketFrame;
            utf8 = Utf8Scanner.COMPLETE;
        }
        if (text) {
            utf8 = Utf8Scanner.scan(utf8, frame.content());
            if (utf8 == Utf8Scanner.INVALID || frame.isFinalFragment() && utf8 != Utf8Scanner.COMPLETE) {
                dropMessage();
                closeWith(CloseReason.BAD_DATA, true);
                return;
            }
        }
        if (first && frame.isFinalFragment()) {
            whole(frame.content(), onText);
            return;
        }
        if (!first && message.readableBytes() > server.config().maxWsMessage() - frame.content().readableBytes()) {
            dropMessage();
            closeWith(CloseReason.TOO_LARGE, true);
            return;
        }
        if (first) {
            message = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
        }
        message.addComponent(true, frame.content().retain());
        if (frame.isFinalFragment()) {
            CompositeByteBuf m = message;
            message = null;
            try {
                whole(m, onText);
            } finally {
                m.release();
            }
        }
    }

    private void whole(ByteBuf content, Consumer<byte[]> onText) {
        if (text) {
            onText.accept(ByteBufUtil.getBytes(content));
        } else {
            closeWith(CloseReason.UNSUPPORTED_DATA, true);
        }
    }

    private void dropMessage() {
        if (message != null) {
            message.release();
            message = null;
        }
    }

    /**
     * A failure from the pipeline: I/O errors close at once; codec violations close with their
     * code (1009 too large, 1007 bad data, 1002 otherwise); anything else is a bug here, logged,
     * and closes this connection only with 1011.
     */
    public void failed(Throwable cause) {
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
            closeWith(CloseReason.TOO_LARGE, true); // a codec's own length bound
        } else {
            log.warn("WebSocket connection {} failed: {}", ctx.channel(), cause.toString(), cause);
            closeWith(CloseReason.INTERNAL, true);
        }
    }

    /**
     * Writability changed: while unwritable the connection stops reading (requests would only make
     * answers that cannot be written) and a socket unwritable for {@code unwritable-timeout} is
     * closed as {@code slow}. Returns whether the socket is writable now.
     */
    public boolean writabilityChanged() {
        boolean writable = ctx.channel().isWritable();
        if (closing == null) {
            ctx.channel().config().setAutoRead(writable);
        }
        if (writable) {
            cancel(unwritable);
            unwritable = null;
        } else {
            watchUnwritable();
        }
        return writable;
    }

    /** Starts the unwritable deadline if the socket is unwritable and none runs. */
    public void watchUnwritable() {
        if (unwritable != null || closing != null || ctx.channel().isWritable()) {
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

    /** The connection is gone or the handler removed: no timer of ours may outlive it. */
    public void release() {
        stop();
        dropMessage();
        cancel(unwritable);
        unwritable = null;
        cancel(closeTimeout);
        closeTimeout = null;
    }

    private void closingStarted() {
        stop();
        dropMessage();
        cancel(unwritable);
        unwritable = null;
        onClosing();
    }

    /**
     * Runs a broker's answer on this connection's event loop: at once when it came there (the
     * embedded broker answers synchronously, so replies keep the order of the requests), else as a task.
     */
    public void onLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            execute(task);
        }
    }

    /** Runs {@code task} on this connection's event loop as a new task (from a broker thread, the timer or the loop itself). */
    public void execute(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the server; the connection goes with it.
        }
    }

    private static void cancel(Timeout t) {
        if (t != null) {
            t.cancel();
        }
    }

    @Override
    public String toString() {
        return "WebSocketLifecycle[" + ctx.channel() + (closing != null ? ", closing " + closing.code() : "") + "]";
    }
}
