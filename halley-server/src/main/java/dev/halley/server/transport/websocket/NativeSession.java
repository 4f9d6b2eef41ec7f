package dev.halley.server.transport.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.ChannelPattern;
import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Delivery;
import dev.halley.core.Feed;
import dev.halley.core.Gap;
import dev.halley.core.HalleyException;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.core.SubscribeResult;
import dev.halley.server.EventLoops;
import dev.halley.server.PublishRate;
import dev.halley.server.ServerContext;
import dev.halley.server.api.Publishing;
import dev.halley.server.http.Json;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native protocol of one client, whatever carries its frames: request texts in (see
 * {@link ClientRequest}), replies ({@link ReplyFrames}), messages and gap notices out through an
 * {@link Output}. The WebSocket door ({@link WebSocketHandler}) and the SockJS {@code channels}
 * service speak it; only their framing differs.
 *
 * <p><b>Delivery.</b> One {@link Feed} for the session's life. It is drained only while the
 * output is {@linkplain Output#writable() writable}, many deliveries then one
 * {@linkplain Output#flush() flush}; the carrier calls {@link #drain()} again when it can take
 * more. A client that overflows its feed is closed as {@link CloseReason#SLOW}; it resumes from its cursor.
 *
 * <p><b>Order.</b> A subscribe's reply precedes what that subscription delivers (gap notice,
 * replay, live): draining is held while any subscribe is in flight, and the reply is written
 * before draining resumes. Replies follow the order of the requests when the broker answers at
 * once (the embedded one does); with a remote broker a refusal may overtake an earlier ack. After
 * an unsubscribe's reply nothing of the dropped channels follows: deliveries still queued for
 * them are discarded.
 *
 * <p><b>Ending.</b> Bad input ends the session through {@link Output#close}: JSON nested too
 * deep ({@link CloseReason#BAD_DATA}), publishing over the rate again and again
 * ({@link CloseReason#TOO_MANY}), a feed overflow ({@link CloseReason#SLOW}). Other bad requests
 * get error replies and the session goes on.
 *
 * <p><b>Threading.</b> Everything runs on the output's event loop; {@link Feed.Listener} calls
 * and broker answers hop there.
 */
public final class NativeSession implements Feed.Listener {
    private static final Logger log = LoggerFactory.getLogger(NativeSession.class);
    /** Deliveries taken from the feed at a time; writability is checked between takes. */
    static final int BATCH = 64;

    /** Where the session's frames go. Called on {@link #loop()} only. */
    public interface Output {
        /** The event loop the session runs on. */
        EventExecutor loop();

        /** A reply or notice, as JSON text. */
        void reply(String json);

        /** A {@link Message} or a {@link Gap} notice for the client. */
        void deliver(Delivery delivery);

        /** Whether more deliveries can be written now. */
        boolean writable();

        /** The end of a round of writes. */
        void flush();

        /** The session must end for {@code reason}; the carrier closes and calls {@link NativeSession#close()}. */
        void close(CloseReason reason);
    }

    private final ServerContext server;
    private final Output out;
    /** Made by the first publish: most connections only subscribe (a fresh bucket is full, as an unused one is). */
    private PublishRate rate;
    private final Feed feed;
    /** Subscribes in flight: draining waits for their replies. */
    private int subscribing;
    private boolean draining;
    private boolean drainAgain;
    /** Set by an unsubscribe: queued deliveries of channels no longer followed are dropped. */
    private boolean dropUnfollowed;
    private boolean closed;

    public NativeSession(ServerContext server, Output out) {
        this.server = server;
        this.out = out;
        this.feed = server.hub().newFeed(server.feedLimits(), this);
    }

    /** Where the client would resume: right after what it was given. */
    public Cursor cursor() {
        return feed.cursor();
    }

    /** Stops deliveries and drops the subscriptions; later broker answers are ignored. Idempotent. */
    public void close() {
        closed = true;
        feed.close();
    }

    // ---- requests --------------------------------------------------------------------------

    /** One request text from the client. */
    public void request(byte[] text) {
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
            out.close(CloseReason.BAD_DATA);
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
                .whenComplete((result, failure) -> onLoop(() -> subscribed(req, result, failure)));
    }

    private void subscribed(ClientRequest.Subscribe req, SubscribeResult result, Throwable failure) {
        subscribing--;
        if (closed) {
            return;
        }
        if (failure != null) {
            replyFailure(req.id(), failure);
        } else if (req.id() != null) {
            out.reply(ReplyFrames.subscribed(req.id(), req.pattern().text(), result, feed.cursor()));
        }
        drain(); // flushes the reply, then what the subscription queued
    }

    private void unsubscribe(ClientRequest.Unsubscribe req) {
        feed.unsubscribe(req.pattern());
        dropUnfollowed = true;
        if (req.id() != null) {
            out.reply(ReplyFrames.unsubscribed(req.id(), req.pattern().text()));
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
        if (rate == null) {
            rate = new PublishRate(server.config().publishRate());
        }
        if (!rate.tryAcquire()) {
            if (rate.exhausted()) {
                out.close(CloseReason.TOO_MANY);
                return;
            }
            throw new HalleyException(ReplyError.TOO_MANY, "Over " + server.config().publishRate() + " messages per second.");
        }
        Publishing.publishAll(server, List.of(item)).whenComplete((published, failure) -> onLoop(() -> {
            if (closed) {
                return;
            }
            if (failure != null) {
                replyFailure(req.id(), failure);
            } else if (req.id() != null) {
                out.reply(ReplyFrames.published(req.id(), published.get(0)));
            }
            out.flush();
        }));
    }

    private void replyFailure(String id, Throwable failure) {
        HalleyException h = HalleyException.of(failure);
        if (h.error() == ReplyError.UNAVAILABLE) {
            log.debug("broker failure for {}: {}", out, failure.toString());
        }
        replyError(id, h.error(), h.getMessage());
    }

    private void replyError(String id, ReplyError error, String message) {
        server.metrics().error(error);
        out.reply(ReplyFrames.error(id, error, message));
    }

    // ---- delivery --------------------------------------------------------------------------

    /** Any thread: the feed has deliveries. */
    @Override
    public void onReady() {
        execute(this::drain);
    }

    /** Any thread: the client went over its outbound bound; the feed closed itself. */
    @Override
    public void onOverflow() {
        execute(() -> out.close(CloseReason.SLOW));
    }

    /**
     * Writes what the feed holds while the output is writable, then flushes once. Re-entered from
     * the flush (writability turning back on) it only marks that another round is due.
     */
    public void drain() {
        if (draining) {
            drainAgain = true;
            return;
        }
        if (closed || subscribing > 0) {
            out.flush();
            return;
        }
        draining = true;
        int messages = 0;
        try {
            do {
                drainAgain = false;
                messages += writeWhileWritable();
                out.flush();
            } while (drainAgain && !closed);
        } finally {
            draining = false;
        }
        if (messages > 0) {
            server.metrics().delivered(messages);
        }
    }

    private int writeWhileWritable() {
        int messages = 0;
        List<ChannelPattern> followed = dropUnfollowed ? feed.patterns() : null;
        while (out.writable() && !closed) {
            List<Delivery> batch = feed.takeDeliveries(BATCH);
            if (batch.isEmpty()) {
                dropUnfollowed = false;
                break;
            }
            for (Delivery d : batch) {
                String channel = d instanceof Message m ? m.channel() : ((Gap) d).channel();
                if (followed == null || covered(followed, channel)) {
                    out.deliver(d);
                    messages += d instanceof Message ? 1 : 0;
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

    /** A broker's answer, on the session's event loop (at once when it came there). */
    private void onLoop(Runnable task) {
        EventLoops.onLoop(out.loop(), task);
    }

    private void execute(Runnable task) {
        EventLoops.execute(out.loop(), task);
    }

    @Override
    public String toString() {
        return "NativeSession[" + feed + ", subscribing=" + subscribing + (closed ? ", closed" : "") + "]";
    }
}
