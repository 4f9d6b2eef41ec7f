package dev.halley.server.protocol.bayeux;

import dev.halley.core.Delivery;
import dev.halley.core.Feed;
import dev.halley.core.Message;
import dev.halley.server.PublishRate;
import io.netty.util.Timeout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Bayeux client between its handshake and its end: its {@link Feed} on the hub (the Bayeux
 * subscriptions, and the bounded queue of what awaits delivery), its held {@code /meta/connect},
 * its expiry, and with the {@code ack} extension the messages sent but not yet acknowledged.
 * A session outlives the requests and connections that carry it.
 *
 * <p><b>Threading.</b> Doors on any event loop, broker threads ({@link Feed.Listener}) and the
 * timer all reach a session; its state is guarded by its monitor. Decisions are taken under it
 * and acted on after it is released: a hold is taken out under the lock and released outside.
 * The feed's monitor may be taken while holding this one, never the reverse (the feed calls its
 * listener with no lock held).
 *
 * <p><b>Delivery.</b> Messages wait in the feed until a door takes them: with the answer of a
 * {@code /meta/connect} ({@link #takeForConnect}), or, on a WebSocket without the ack extension,
 * as they come ({@link #takeStreamed}, the connection being the session's {@link Stream}). With
 * the ack extension every message taken is kept, tagged with the batch of the connect answer that
 * carried it, and sent again with each answer until the client acknowledges that batch.
 *
 * <p><b>Bounds.</b> The feed's bound ({@code outbound-max-messages}, {@code -bytes}) counts what
 * waits; with ack, what waits for acknowledgement counts against the same number of messages.
 * Over either the session ends as {@link SessionEnd#SLOW}.
 *
 * <p><b>Expiry.</b> While no {@code /meta/connect} is held, the session lives {@code bayeux-max-interval}
 * (plus the interval it was advised to wait) and then ends as {@link SessionEnd#EXPIRED}.
 */
final class BayeuxSession implements Feed.Listener {
    /** A connection that takes the session's messages as they arrive (WebSocket without ack). */
    interface Stream {
        /** The session has messages; take them with {@link #takeStreamed}. Any thread. */
        void messagesReady(BayeuxSession session);
    }

    /** What a {@code /meta/connect} answer carries: deliveries, how many are new, and with ack the batch they close. */
    record Outgoing(List<byte[]> messages, int fresh, long batch) {
    }

    /** A message sent with the answer that closed {@code batch}, kept until the client acknowledges it. */
    private record Unacked(long batch, byte[] json) {
    }

    private final BayeuxSessions sessions;
    private final String id;
    private final String browserId;
    private final boolean ack;
    private final Feed feed;
    private final PublishRate rate;

    // Guarded by this.
    private ConnectHold hold;
    private Stream stream;
    private Timeout expiry;
    private SessionEnd ended;
    private long batch = 1;
    private final ArrayDeque<Unacked> unacked = new ArrayDeque<>();

    BayeuxSession(BayeuxSessions sessions, String id, String browserId, boolean ack) {
        this.sessions = sessions;
        this.id = id;
        this.browserId = browserId;
        this.ack = ack;
        this.feed = sessions.server().hub().newFeed(sessions.server().feedLimits(), this);
        this.rate = new PublishRate(sessions.server().config().publishRate());
    }

    /** The {@code clientId}: 128 bits from a secure random source. */
    String id() {
        return id;
    }

    /** The browser ({@code BAYEUX_BROWSER} cookie) this session is bound to; null for a WebSocket handshake without one. */
    String browserId() {
        return browserId;
    }

    /** Whether the client handshook with the {@code ack} extension. */
    boolean ack() {
        return ack;
    }

    Feed feed() {
        return feed;
    }

    /** One publish within {@code publish-rate}; false when over it. */
    boolean tryPublish() {
        synchronized (rate) {
            return rate.tryAcquire();
        }
    }

    // ---- the held /meta/connect -----------------------------------------------------------

    /**
     * Holds {@code h} as the session's {@code /meta/connect}; a hold it replaces is released as
     * {@link ConnectHold.End#REPLACED}. Returns false when the session has ended (answer {@code 402}).
     */
    boolean hold(ConnectHold h) {
        ConnectHold old;
        synchronized (this) {
            if (ended != null) {
                return false;
            }
            old = hold;
            hold = h;
            cancelExpiryLocked();
        }
        if (old != null) {
            old.release(ConnectHold.End.REPLACED);
        }
        // Messages that arrived between the decision to hold and now found no hold to wake.
        if (hasPending()) {
            wake();
        }
        return true;
    }

    /** Whether a {@code /meta/connect} is held now. */
    synchronized boolean isHeld() {
        return hold != null;
    }

    /** Takes {@code h} out if it is still the session's hold: the caller then releases it. */
    synchronized boolean takeHold(ConnectHold h) {
        if (hold == h && h != null) {
            hold = null;
            return true;
        }
        return false;
    }

    /**
     * A {@code /meta/connect} was answered (or its connection lost): unless another is held, the
     * session now has {@code bayeux-max-interval} plus the {@code interval} it was advised to wait.
     */
    void connectEnded(long advisedInterval) {
        synchronized (this) {
            if (ended != null || hold != null) {
                return;
            }
            cancelExpiryLocked();
            long millis = sessions.server().config().bayeuxMaxInterval().toMillis() + advisedInterval;
            expiry = sessions.server().timer().newTimeout(this::expire, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void expire(Timeout fired) {
        synchronized (this) {
            if (fired != expiry || hold != null || ended != null) {
                return;
            }
            expiry = null;
        }
        end(SessionEnd.EXPIRED);
    }

    private void cancelExpiryLocked() {
        if (expiry != null) {
            expiry.cancel();
            expiry = null;
        }
    }

    // ---- delivery -------------------------------------------------------------------------

    /** Delivers to {@code s} as messages arrive (WebSocket without ack), instead of with connect answers. */
    void stream(Stream s) {
        synchronized (this) {
            if (ended != null || ack) {
                return;
            }
            stream = s;
        }
        if (feed.hasPending()) {
            s.messagesReady(this);
        }
    }

    /** {@code s} is gone (its connection closed): messages wait for a connect answer again. */
    synchronized void unstream(Stream s) {
        if (stream == s) {
            stream = null;
        }
    }

    /** Whether something waits for the client: queued messages, or with ack unacknowledged ones to send again. */
    boolean hasPending() {
        synchronized (this) {
            if (ack && !unacked.isEmpty()) {
                return true;
            }
        }
        return feed.hasPending();
    }

    /** The feed has messages: hand them to the stream, or answer the held connect. Any thread. */
    @Override
    public void onReady() {
        wake();
    }

    /** Over the feed's bound: the feed closed itself; the session ends. */
    @Override
    public void onOverflow() {
        end(SessionEnd.SLOW);
    }

    private void wake() {
        ConnectHold h = null;
        Stream s;
        synchronized (this) {
            if (ended != null) {
                return;
            }
            s = stream;
            if (s == null) {
                h = hold;
                hold = null;
            }
        }
        if (s != null) {
            s.messagesReady(this);
        } else if (h != null) {
            h.release(ConnectHold.End.MESSAGES);
        }
    }

    /**
     * What a {@code /meta/connect} answer carries now: the queued messages and, with ack, every
     * message not yet acknowledged, under a new batch number. Null when the session has ended
     * (or ends now, over its bound): answer {@code 402}.
     */
    Outgoing takeForConnect() {
        Outgoing out;
        synchronized (this) {
            if (ended != null) {
                return null;
            }
            List<byte[]> fresh = encode(feed.takeDeliveries(Integer.MAX_VALUE));
            if (!ack) {
                return new Outgoing(fresh, fresh.size(), -1);
            }
            for (byte[] m : fresh) {
                unacked.addLast(new Unacked(batch, m));
            }
            out = unacked.size() > sessions.server().config().outboundMaxMessages() ? null : takeUnackedLocked(fresh.size());
        }
        if (out == null) {
            end(SessionEnd.SLOW);
        }
        return out;
    }

    private Outgoing takeUnackedLocked(int fresh) {
        List<byte[]> all = new ArrayList<>(unacked.size());
        for (Unacked u : unacked) {
            all.add(u.json);
        }
        return new Outgoing(all, fresh, batch++);
    }

    /** Up to {@code max} queued messages, for a {@link Stream}; empty once the session has ended. */
    List<byte[]> takeStreamed(int max) {
        synchronized (this) {
            return ended != null ? List.of() : encode(feed.takeDeliveries(max));
        }
    }

    private static List<byte[]> encode(List<Delivery> deliveries) {
        List<byte[]> out = new ArrayList<>(deliveries.size());
        for (Delivery d : deliveries) {
            // Gap notices have no Bayeux form: a Bayeux subscription is live only, and the
            // client learns of a lost session by 402 instead.
            if (d instanceof Message m) {
                out.add(Replies.delivery(m));
            }
        }
        return out;
    }

    /** The client received every answer up to batch {@code upTo}: forget what they carried. */
    synchronized void acknowledge(long upTo) {
        while (!unacked.isEmpty() && unacked.peekFirst().batch <= upTo) {
            unacked.pollFirst();
        }
    }

    // ---- the end --------------------------------------------------------------------------

    synchronized boolean isEnded() {
        return ended != null;
    }

    /**
     * Ends the session once: unsubscribes its feed, forgets it, and answers a held connect
     * ({@code reconnect: none} after a disconnect, {@code 402} otherwise).
     */
    void end(SessionEnd why) {
        ConnectHold h;
        synchronized (this) {
            if (ended != null) {
                return;
            }
            ended = why;
            h = hold;
            hold = null;
            stream = null;
            cancelExpiryLocked();
            unacked.clear();
        }
        feed.close();
        sessions.ended(this, why);
        if (h != null) {
            h.release(why == SessionEnd.DISCONNECTED ? ConnectHold.End.DISCONNECTED : ConnectHold.End.ENDED);
        }
    }

    @Override
    public synchronized String toString() {
        return "BayeuxSession[" + id + (ack ? ", ack batch=" + batch + " unacked=" + unacked.size() : "")
                + (hold != null ? ", held" : "") + (stream != null ? ", streamed" : "")
                + (ended != null ? ", ended " + ended.code() : "") + ", " + feed + "]";
    }
}
