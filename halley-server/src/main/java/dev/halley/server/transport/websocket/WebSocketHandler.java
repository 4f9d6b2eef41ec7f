package dev.halley.server.transport.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.ChannelPattern;
import dev.halley.core.CloseReason;
import dev.halley.core.Delivery;
import dev.halley.core.Feed;
import dev.halley.core.Gap;
import dev.halley.core.HalleyException;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.core.SubscribeResult;
import dev.halley.server.PublishRate;
import dev.halley.server.ServerContext;
import dev.halley.server.api.Publishing;
import dev.halley.server.http.Json;
import dev.halley.server.http.ShutdownEvent;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native protocol on one upgraded WebSocket connection: request frames in (see
 * {@link ClientRequest}), replies ({@link ReplyFrames}), messages and gap notices out. Everything
 * runs on the connection's event loop; {@link Feed.Listener} calls and timer callbacks hop there.
 *
 * <p><b>Delivery.</b> One {@link Feed} for the connection's life. It is drained only while the
 * channel is writable, many frames then one flush, and again when it becomes writable. Each
 * message goes out as one text frame encoded once for all subscribers ({@link TextFrames}).
 * A client that overflows its feed, or keeps the socket unwritable for {@code unwritable-timeout},
 * is closed with 1008 {@code slow}; it resumes from its cursor. While the socket is unwritable the
 * connection also stops reading: requests would only make replies that cannot be written.
 *
 * <p><b>Order.</b> A subscribe's reply precedes what that subscription delivers (gap notice,
 * replay, live): draining is held while any subscribe is in flight, and the reply is written
 * before draining resumes. Replies follow the order of the requests when the broker answers at
 * once (the embedded one does); with a remote broker a refusal may overtake an earlier ack. After an unsubscribe's reply nothing of the dropped channels follows:
 * deliveries already queued for them are discarded.
 *
 * <p><b>Liveness.</b> A ping after {@code heartbeat} without hearing from the client; nothing
 * within the next {@code heartbeat} closes it ({@code heartbeat_timeout}). Client pings get pongs.
 *
 * <p><b>Closing</b> ({@link WebSocketLifecycle}): a close frame whose status and reason come from
 * {@link CloseReason}, counted in metrics. Bad input closes this connection only: a message over
 * {@code max-ws-message} 1009, invalid UTF-8 or JSON nested too deep 1007, a binary message 1003,
 * publishing over the rate again and again 1008, a bug here 1011 (logged). Shutdown sends a
 * {@code {"reconnect":true,"reason":"shutdown","cursor":…}} frame, then 1001.
 *
 * <p><b>Buffers.</b> Inbound frames are released here once handled. Outbound frames own their
 * buffer (a wrapper of heap bytes) and are released by the encoder, or by Netty when a write fails.
 */
final class WebSocketHandler extends ChannelInboundHandlerAdapter implements Feed.Listener {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);
    /** Deliveries taken from the feed at a time; writability is checked between takes. */
    static final int BATCH = 64;

    private final ServerContext server;
    private final PublishRate rate;
    private ChannelHandlerContext ctx;
    private Feed feed;
    private Heartbeat heartbeat;
    private WebSocketLifecycle lifecycle;
    /** Subscribes in flight: draining waits for their replies. */
    private int subscribing;
    private boolean draining;
    private boolean drainAgain;
    /** Set by an unsubscribe: queued deliveries of channels no longer followed are dropped. */
    private boolean dropUnfollowed;
    private boolean unflushed;

    WebSocketHandler(ServerContext server) {
        this.server = server;
        this.rate = new PublishRate(server.config().publishRate());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.lifecycle = new WebSocketLifecycle(ctx, server, this::stopDelivery);
        this.feed = server.hub().newFeed(server.config().feedLimits(), this);
        this.heartbeat = new Heartbeat(server.timer(), ctx.executor(), server.config().heartbeat().toNanos(),
                this::ping, () -> lifecycle.closeWith(CloseReason.HEARTBEAT_TIMEOUT, false));
        heartbeat.start();
    }

    // ---- inbound ---------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lifecycle.read(msg, heartbeat, this::onRequest, this::write);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
        ctx.fireChannelReadComplete();
    }

    private void onRequest(byte[] text) {
        String id = null;
        try {
            JsonNode node = server.json().parse(text);
            id = ClientRequest.idOf(node);
            ClientRequest request = ClientRequest.parse(node, id, server);
            if (request instanceof ClientRequest.Subscribe s) {
                subscribe(s);
            } else if (request instanceof ClientRequest.Unsubscribe u) {
                unsubscribe(u);
            } else if (request instanceof ClientRequest.Publish p) {
                publish(p);
            }
        } catch (Json.TooDeepException e) {
            lifecycle.closeWith(CloseReason.BAD_DATA, true);
        } catch (HalleyException e) {
            replyError(id, e.error(), e.getMessage());
        }
    }

    private void subscribe(ClientRequest.Subscribe req) {
        if (!server.config().policy().maySubscribe(req.pattern())) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Clients may not subscribe to " + req.pattern().text() + ".");
        }
        subscribing++;
        feed.subscribe(req.pattern(), req.resume())
                .whenComplete((result, failure) -> lifecycle.onLoop(() -> subscribed(req, result, failure)));
    }

    private void subscribed(ClientRequest.Subscribe req, SubscribeResult result, Throwable failure) {
        subscribing--;
        if (lifecycle.isClosing()) {
            return;
        }
        if (failure != null) {
            replyFailure(req.id(), failure);
        } else if (req.id() != null) {
            write(ReplyFrames.subscribed(req.id(), req.pattern().text(), result, feed.cursor()));
        }
        drain(); // flushes the reply, then what the subscription queued
    }

    private void unsubscribe(ClientRequest.Unsubscribe req) {
        feed.unsubscribe(req.pattern());
        dropUnfollowed = true;
        if (req.id() != null) {
            write(ReplyFrames.unsubscribed(req.id(), req.pattern().text()));
        }
    }

    private void publish(ClientRequest.Publish req) {
        Publishing.Item item = req.item();
        if (!server.config().policy().mayPublish(item.channel())) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Clients may not publish to " + item.channel() + ".");
        }
        if (server.isShuttingDown()) {
            throw new HalleyException(ReplyError.UNAVAILABLE, "The server is shutting down; publish to another node.");
        }
        if (!rate.tryAcquire()) {
            if (rate.exhausted()) {
                lifecycle.closeWith(CloseReason.TOO_MANY, true);
                return;
            }
            throw new HalleyException(ReplyError.TOO_MANY, "Over " + server.config().publishRate() + " messages per second.");
        }
        Publishing.publishAll(server, List.of(item)).whenComplete((published, failure) -> lifecycle.onLoop(() -> {
            if (lifecycle.isClosing()) {
                return;
            }
            if (failure != null) {
                replyFailure(req.id(), failure);
            } else if (req.id() != null) {
                write(ReplyFrames.published(req.id(), published.get(0)));
            }
            flush();
        }));
    }

    private void replyFailure(String id, Throwable failure) {
        HalleyException h = HalleyException.of(failure);
        if (h.error() == ReplyError.UNAVAILABLE) {
            log.debug("broker failure on {}: {}", ctx.channel(), failure.toString());
        }
        replyError(id, h.error(), h.getMessage());
    }

    private void replyError(String id, ReplyError error, String message) {
        server.metrics().error(error);
        write(ReplyFrames.error(id, error, message));
    }

    // ---- delivery --------------------------------------------------------------------------

    /** Any thread: the feed has deliveries. */
    @Override
    public void onReady() {
        lifecycle.execute(this::drain);
    }

    /** Any thread: the client went over its outbound bound; the feed closed itself. */
    @Override
    public void onOverflow() {
        lifecycle.execute(() -> lifecycle.closeWith(CloseReason.SLOW, false));
    }

    /**
     * Writes what the feed holds while the channel is writable, then flushes once. Re-entered from
     * the flush (writability turning back on) it only marks that another round is due.
     */
    private void drain() {
        if (draining) {
            drainAgain = true;
            return;
        }
        if (lifecycle.isClosing() || subscribing > 0) {
            flush();
            return;
        }
        draining = true;
        int messages = 0;
        try {
            do {
                drainAgain = false;
                messages += writeWhileWritable();
                flush();
            } while (drainAgain && !lifecycle.isClosing());
        } finally {
            draining = false;
        }
        if (messages > 0) {
            server.metrics().delivered(messages);
        }
        lifecycle.watchUnwritable();
    }

    private int writeWhileWritable() {
        int messages = 0;
        List<ChannelPattern> followed = dropUnfollowed ? feed.patterns() : null;
        while (ctx.channel().isWritable()) {
            List<Delivery> batch = feed.takeDeliveries(BATCH);
            if (batch.isEmpty()) {
                dropUnfollowed = false;
                break;
            }
            for (Delivery d : batch) {
                if (d instanceof Message m && (followed == null || covered(followed, m.channel()))) {
                    writeEncoded(TextFrames.of(m));
                    messages++;
                } else if (d instanceof Gap g && (followed == null || covered(followed, g.channel()))) {
                    write(new TextWebSocketFrame(Unpooled.wrappedBuffer(g.json())));
                }
            }
        }
        return messages;
    }

    private static boolean covered(List<ChannelPattern> patterns, String channel) {
        for (ChannelPattern p : patterns) {
            if (p.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (lifecycle.writabilityChanged()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void ping() {
        if (!lifecycle.isClosing()) {
            ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
        }
    }

    private void write(String json) {
        write(new TextWebSocketFrame(json));
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

    private void flush() {
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
        if (lifecycle.isClosing()) {
            return;
        }
        drain();
        write(ReplyFrames.reconnect(CloseReason.SHUTDOWN, feed.cursor()));
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

    private void stopDelivery() {
        feed.close();
        heartbeat.stop();
    }

    private void release() {
        stopDelivery();
        lifecycle.release();
    }

    @Override
    public String toString() {
        return "WebSocketHandler[" + (ctx == null ? "unbound" : ctx.channel()) + ", " + feed + ", subscribing=" + subscribing
                + ", " + lifecycle + "]";
    }
}
