package dev.halley.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One client's ordered view of the channels it follows: its subscriptions, its position in
 * each channel, and a bounded queue of {@link Delivery deliveries} its door drains.
 *
 * <p><b>Ordering and resume.</b> A subscription registers for live messages first and holds
 * them while it reads history; it then queues a {@link Gap} if history does not reach back,
 * the replayed messages, then the held live ones. Every message is queued at most once per
 * channel position, so replay and live never duplicate and a client matched by two patterns
 * gets each message once.
 *
 * <p><b>Bounds.</b> When the queue (with the live messages held during recovery) is over
 * {@link FeedLimits} the feed closes itself and calls {@link Listener#onOverflow()} once: the door
 * disconnects the client as {@link CloseReason#SLOW}; it can resume from {@link #cursor()}, which
 * still stands after what it took. Other subscribers are never delayed.
 *
 * <p><b>Cursor.</b> At any moment, {@link #cursor()} resumes right after what the door took:
 * never past a queued message or a queued {@link Gap} (a resume reports that gap again), and,
 * for a subscription still reading history, at the client's own resume point.
 *
 * <p><b>Threading.</b> {@link #offer} is called from broker threads, {@link #take} from the
 * door's event loop; all state is guarded by this object's monitor, and listener calls happen
 * after it is released.
 */
public final class Feed {

    /** How the feed wakes its door. Called without locks held, from any thread; must not block. */
    public interface Listener {
        /** The queue went from empty to non-empty: schedule a {@link #take}. */
        void onReady();

        /** The client went over its bound and the feed closed itself. Called once. */
        void onOverflow();
    }

    /**
     * The epoch a cursor carries for a {@code since} given without one while its history is still
     * being read: no broker issues it ({@link Epochs#random()} never does), so a resume reports a gap.
     */
    private static final String UNKNOWN_EPOCH = "-";

    private final Hub hub;
    private final FeedLimits limits;
    private final Listener listener;
    /**
     * Serialises this feed's hub registrations, so that racing subscribe, unsubscribe and close
     * leave the hub as the last of them left the feed (see {@link #syncRegistration}). Taken
     * before, never while holding, the feed's monitor. One of the hub's stripes
     * ({@link Hub#registrationLock()}), not an object per feed: that was 16 bytes of every idle
     * connection, and feeds sharing a stripe only wait for each other's registration, which never
     * blocks (brokers subscribe asynchronously).
     */
    private final Object registration;

    // Guarded by this. Shaped for the common feed (one channel, a quiet queue), since an idle
    // connection's memory is a product figure: the subscriptions are a list linked through
    // Subscription.next, in subscription order; the position of a feed's only channel is kept in
    // two fields, and a map is made when a second channel comes; the queue is made on the first
    // delivery and dropped when it is drained.
    private Subscription subscriptions;
    private String onlyChannel;
    private Position onlyPosition;
    /** Every channel's position, insertion-ordered, once the feed has more than one; else null. */
    private Map<String, Position> positions;
    private ArrayDeque<Delivery> queue;
    private long queuedBytes;
    /** Live messages held by recovering subscriptions: queued in all but name, so bounded alike. */
    private int heldMessages;
    private long heldBytes;
    private boolean readySignalled;
    private boolean closed;
    private boolean overflowed;
    /** Once closed: the cursor at the moment of closing. */
    private Cursor closedAt;

    Feed(Hub hub, FeedLimits limits, Listener listener) {
        this.hub = hub;
        this.limits = limits;
        this.listener = listener;
        this.registration = hub.registrationLock();
    }

    /** One pattern this feed follows. */
    private static final class Subscription {
        final ChannelPattern pattern;
        final Resume resume;
        final long registeredAt;
        /** Live messages that arrived while history is read; null once recovered. */
        List<Message> held = new ArrayList<>();
        long heldBytes;
        /** The next subscription of the feed, in subscription order. */
        Subscription next;

        Subscription(ChannelPattern pattern, Resume resume, long registeredAt) {
            this.pattern = pattern;
            this.resume = resume;
            this.registeredAt = registeredAt;
        }

        boolean recovering() {
            return held != null;
        }
    }

    /** What to tell the listener once the monitor is released: decided under it, acted on after. */
    private record Wake(boolean ready, List<ChannelPattern> overflowedFrom) {
        static final Wake NONE = new Wake(false, null);
        static final Wake READY = new Wake(true, null);
    }

    /**
     * Follows {@code pattern} from {@code resume}. Fails with {@link ReplyError#TOO_MANY} over the
     * subscription limit, {@link ReplyError#BAD_CURSOR} for {@code since} on a wildcard. Subscribing
     * to a pattern already followed completes at once as recovered.
     */
    public CompletionStage<SubscribeResult> subscribe(ChannelPattern requested, Resume resume) {
        // Kept for the subscription's life: the hub's instance when other feeds follow it already.
        ChannelPattern pattern = hub.canonical(requested);
        if (pattern.isWildcard() && resume instanceof Resume.Since) {
            return CompletableFuture.failedFuture(new HalleyException(ReplyError.BAD_CURSOR,
                    "since applies to one channel; resume a wildcard subscription with a cursor."));
        }
        Subscription sub;
        synchronized (this) {
            if (closed) {
                return closedFailure();
            }
            if (subscriptionLocked(pattern) != null) {
                return CompletableFuture.completedFuture(new SubscribeResult(pattern, true, List.of()));
            }
            if (subscriptionCountLocked() >= limits.maxSubscriptions()) {
                return CompletableFuture.failedFuture(new HalleyException(ReplyError.TOO_MANY,
                        "At most " + limits.maxSubscriptions() + " subscriptions per connection."));
            }
            sub = new Subscription(pattern, resume, hub.now());
            appendLocked(sub);
        }
        // Registered before history is read: what history misses arrives live, and is held meanwhile.
        syncRegistration(pattern);
        if (isClosed()) {
            return closedFailure();
        }
        return recoverOrFail(sub).handle((recoveries, failure) -> {
            if (failure != null) {
                remove(sub.pattern, sub);
                throw failure instanceof RuntimeException r ? r : new CompletionException(failure);
            }
            return finishRecovery(sub, recoveries);
        });
    }

    private static <T> CompletionStage<T> closedFailure() {
        return CompletableFuture.failedFuture(new HalleyException(ReplyError.UNAVAILABLE, "The connection is closed."));
    }

    /** Stops following {@code pattern}; positions of channels no other pattern covers are forgotten. */
    public void unsubscribe(ChannelPattern pattern) {
        remove(pattern, null);
    }

    /** Removes the subscription to {@code pattern}; when {@code expected} is given, only if it is still that one. */
    private void remove(ChannelPattern pattern, Subscription expected) {
        synchronized (this) {
            Subscription s = subscriptionLocked(pattern);
            if (s == null || (expected != null && s != expected)) {
                return;
            }
            unlinkLocked(s);
            releaseHeldLocked(s);
            retainCoveredPositionsLocked();
        }
        syncRegistration(pattern);
    }

    /**
     * Makes the hub's registration of this feed for {@code pattern} match whether the feed follows
     * it now. Register and unregister are idempotent per feed, and this runs after every change, one
     * at a time per feed; so the last to run reads the latest state and the hub ends up agreeing
     * with the feed, however subscribe, unsubscribe and close interleave.
     */
    private void syncRegistration(ChannelPattern pattern) {
        synchronized (registration) {
            boolean follows;
            synchronized (this) {
                follows = !closed && subscriptionLocked(pattern) != null;
            }
            if (follows) {
                hub.register(pattern, this);
            } else {
                hub.unregister(pattern, this);
            }
        }
    }

    /** The patterns followed, in subscription order. */
    public synchronized List<ChannelPattern> patterns() {
        return patternsLocked();
    }

    private List<ChannelPattern> patternsLocked() {
        if (subscriptions != null && subscriptions.next == null) {
            return List.of(subscriptions.pattern);
        }
        List<ChannelPattern> out = new ArrayList<>();
        for (Subscription s = subscriptions; s != null; s = s.next) {
            out.add(s.pattern);
        }
        return List.copyOf(out);
    }

    /**
     * Whether this feed follows one concrete channel and nothing else: its resume point after a
     * message is then {@link Cursor#after}, shared by every such feed.
     */
    public synchronized boolean followsOneChannel() {
        return subscriptions != null && subscriptions.next == null && !subscriptions.pattern.isWildcard();
    }

    /** Whether any subscription is still reading history. */
    public synchronized boolean recovering() {
        for (Subscription s = subscriptions; s != null; s = s.next) {
            if (s.recovering()) {
                return true;
            }
        }
        return false;
    }

    // ---- the subscription list and the positions -------------------------------------------

    private Subscription subscriptionLocked(ChannelPattern pattern) {
        for (Subscription s = subscriptions; s != null; s = s.next) {
            if (s.pattern.equals(pattern)) {
                return s;
            }
        }
        return null;
    }

    private int subscriptionCountLocked() {
        int n = 0;
        for (Subscription s = subscriptions; s != null; s = s.next) {
            n++;
        }
        return n;
    }

    private void appendLocked(Subscription sub) {
        if (subscriptions == null) {
            subscriptions = sub;
            return;
        }
        Subscription last = subscriptions;
        while (last.next != null) {
            last = last.next;
        }
        last.next = sub;
    }

    private void unlinkLocked(Subscription sub) {
        if (subscriptions == sub) {
            subscriptions = sub.next;
        } else {
            for (Subscription s = subscriptions; s != null; s = s.next) {
                if (s.next == sub) {
                    s.next = sub.next;
                    break;
                }
            }
        }
        sub.next = null;
    }

    private Position positionLocked(String channel) {
        if (positions != null) {
            return positions.get(channel);
        }
        return channel.equals(onlyChannel) ? onlyPosition : null;
    }

    private void putPositionLocked(String channel, Position p) {
        if (positions != null) {
            positions.put(channel, p);
        } else if (onlyChannel == null || onlyChannel.equals(channel)) {
            onlyChannel = channel;
            onlyPosition = p;
        } else {
            positions = new LinkedHashMap<>(4);
            positions.put(onlyChannel, onlyPosition);
            positions.put(channel, p);
            onlyChannel = null;
            onlyPosition = null;
        }
    }

    /** Every channel's position, insertion-ordered; a view to copy, not to keep. */
    private Map<String, Position> positionsLocked() {
        if (positions != null) {
            return positions;
        }
        return onlyChannel == null ? Map.of() : Map.of(onlyChannel, onlyPosition);
    }

    /** Forgets the positions of channels no subscription covers any more. */
    private void retainCoveredPositionsLocked() {
        if (positions != null) {
            positions.keySet().removeIf(channel -> !coveredLocked(channel));
        } else if (onlyChannel != null && !coveredLocked(onlyChannel)) {
            onlyChannel = null;
            onlyPosition = null;
        }
    }

    private void clearPositionsLocked() {
        positions = null;
        onlyChannel = null;
        onlyPosition = null;
    }

    /** A live message from the hub. Any thread; never blocks. */
    void offer(Message message) {
        Wake wake;
        synchronized (this) {
            if (closed) {
                return;
            }
            Subscription sub = followerLocked(message.channel());
            if (sub == null) {
                // Unsubscribed while the hub was handing it over.
                return;
            }
            boolean ready = sub.recovering() ? holdLocked(sub, message) : enqueueMessageLocked(message);
            wake = wakeLocked(ready);
        }
        wake(wake);
    }

    /** The subscription that takes a message of {@code channel}: one still recovering (it holds it) before any other; null if none matches. */
    private Subscription followerLocked(String channel) {
        Subscription match = null;
        for (Subscription s = subscriptions; s != null; s = s.next) {
            if ((match == null || s.recovering()) && s.pattern.matches(channel)) {
                if (s.recovering()) {
                    return s;
                }
                match = s;
            }
        }
        return match;
    }

    /**
     * What a door takes in one go: deliveries, oldest first, and the cursor that resumes right
     * after the last of them (messages still queued are not skipped by it).
     */
    public record Batch(List<Delivery> deliveries, Cursor cursor) {
        public boolean isEmpty() {
            return deliveries.isEmpty();
        }
    }

    /**
     * Takes up to {@code max} queued deliveries with their cursor. When the queue is left empty,
     * the next offer calls {@link Listener#onReady()} again. A closed feed gives nothing, with
     * the cursor it had when it closed.
     */
    public Batch take(int max) {
        synchronized (this) {
            if (closed) {
                return new Batch(List.of(), closedAt);
            }
            List<Delivery> out = takeLocked(max);
            return new Batch(out, cursorLocked());
        }
    }

    /**
     * Like {@link #take} for doors that never send a cursor (WebSocket: clients resume by offset),
     * which spares building one per batch.
     */
    public List<Delivery> takeDeliveries(int max) {
        synchronized (this) {
            return closed ? List.of() : takeLocked(max);
        }
    }

    private List<Delivery> takeLocked(int max) {
        if (queue == null) {
            readySignalled = false;
            return new ArrayList<>(0);
        }
        int n = Math.min(max, queue.size());
        List<Delivery> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Delivery d = queue.pollFirst();
            if (d instanceof Message m) {
                queuedBytes -= m.weight();
            }
            out.add(d);
        }
        if (queue.isEmpty()) {
            // Drained: an idle connection holds no queue.
            queue = null;
            readySignalled = false;
        }
        return out;
    }

    private int queuedLocked() {
        return queue == null ? 0 : queue.size();
    }

    /** Whether deliveries are waiting. */
    public synchronized boolean hasPending() {
        return queue != null;
    }

    /**
     * The resume point after everything taken so far: messages and gap notices still queued are
     * not skipped; after {@link #close()} (also on overflow), the point at which it closed.
     */
    public synchronized Cursor cursor() {
        return closed ? closedAt : cursorLocked();
    }

    private Cursor cursorLocked() {
        long time = hub.now();
        boolean recovering = false;
        for (Subscription s = subscriptions; s != null; s = s.next) {
            if (s.pattern.isWildcard()) {
                time = Math.min(time, s.registeredAt);
            }
            recovering |= s.recovering();
        }
        if (queue == null && !recovering) {
            // The common case: positions are exactly what was taken (Cursor copies them once).
            return new Cursor(positionsLocked(), time);
        }
        Map<String, Position> at = new LinkedHashMap<>(positionsLocked());
        for (Subscription s = subscriptions; s != null; s = s.next) {
            if (s.recovering()) {
                time = keepResumePoint(s, at, time);
            }
        }
        if (queue != null) {
            Set<String> seen = new HashSet<>();
            for (Delivery d : queue) {
                if (d instanceof Message m && seen.add(m.channel())) {
                    at.put(m.channel(), new Position(m.epoch(), m.offset() - 1));
                } else if (d instanceof Gap g && seen.add(g.channel())) {
                    at.put(g.channel(), gapPending(at.get(g.channel())));
                }
            }
        }
        return new Cursor(at, time);
    }

    /**
     * A subscription still reading history has queued nothing of what the client asked for: the
     * cursor keeps the client's own resume point for its channels (where nothing newer is known)
     * and, for a wildcard, the time channels first met replay from. Returns the cursor time.
     */
    private static long keepResumePoint(Subscription s, Map<String, Position> at, long time) {
        if (s.resume instanceof Resume.Since since) {
            String epoch = since.epoch() != null ? since.epoch() : UNKNOWN_EPOCH;
            at.putIfAbsent(s.pattern.base(), new Position(epoch, since.offset()));
        } else if (s.resume instanceof Resume.From from) {
            from.cursor().positions().forEach((channel, p) -> {
                if (s.pattern.matches(channel)) {
                    at.putIfAbsent(channel, p);
                }
            });
            if (s.pattern.isWildcard()) {
                return Math.min(time, from.cursor().time());
            }
        }
        return time;
    }

    /**
     * Where a client stands in a channel whose gap notice it has not taken: an offset no channel
     * reaches, so that a resume is "ahead of the channel" and reports the gap again, followed by
     * what history holds, as the notice itself promised.
     */
    private static Position gapPending(Position known) {
        return new Position(known != null ? known.epoch() : UNKNOWN_EPOCH, Long.MAX_VALUE);
    }

    /**
     * Unregisters everything and drops what is queued; {@link #cursor()} keeps the resume point
     * after what was taken. Idempotent.
     */
    public void close() {
        List<ChannelPattern> followed;
        synchronized (this) {
            if (closed) {
                return;
            }
            followed = closeLocked();
        }
        unregister(followed);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Closes under the monitor; returns the patterns to unregister once it is released. */
    private List<ChannelPattern> closeLocked() {
        closedAt = cursorLocked();
        closed = true;
        List<ChannelPattern> followed = subscriptions == null ? List.of() : patternsLocked();
        subscriptions = null;
        clearPositionsLocked();
        queue = null;
        queuedBytes = 0;
        heldMessages = 0;
        heldBytes = 0;
        return followed;
    }

    private void unregister(List<ChannelPattern> patterns) {
        for (ChannelPattern p : patterns) {
            syncRegistration(p);
        }
    }

    // ---- recovery ------------------------------------------------------------------------

    /** Reads what the subscription asks for; a broker that throws instead of failing its stage is treated alike. */
    private CompletionStage<List<HistoryRead.Result>> recoverOrFail(Subscription sub) {
        try {
            return HistoryRead.of(hub.broker(), sub.pattern, sub.resume);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Where a client stands once it has the slice: right before its first message, or at the
     * channel's top when it replays none (then a later resume from there is whole, not a gap again,
     * and never replays what came before the client's start).
     */
    private static Position replayStart(HistorySlice slice) {
        List<Message> messages = slice.messages();
        return messages.isEmpty() ? slice.top() : new Position(slice.epoch(), messages.get(0).offset() - 1);
    }

    private SubscribeResult finishRecovery(Subscription sub, List<HistoryRead.Result> recoveries) {
        List<String> gaps = new ArrayList<>();
        Wake wake;
        synchronized (this) {
            if (closed || subscriptionLocked(sub.pattern) != sub) {
                return new SubscribeResult(sub.pattern, true, List.of());
            }
            List<Message> held = sub.held;
            releaseHeldLocked(sub);
            boolean ready = false;
            for (HistoryRead.Result r : recoveries) {
                ready |= replayLocked(r, gaps);
            }
            for (Message m : held) {
                ready |= enqueueMessageLocked(m);
            }
            wake = wakeLocked(ready);
        }
        wake(wake);
        return new SubscribeResult(sub.pattern, gaps.isEmpty(), List.copyOf(gaps));
    }

    /** Queues one channel's recovery: its gap notice if history does not reach back, then what history holds. */
    private boolean replayLocked(HistoryRead.Result r, List<String> gaps) {
        String channel = r.slice().channel();
        Position start = replayStart(r.slice());
        Position known = positionLocked(channel);
        if (known == null || !known.epoch().equals(start.epoch())) {
            putPositionLocked(channel, start);
        }
        boolean ready = false;
        if (!r.recovered()) {
            gaps.add(channel);
            if (!roomLocked(0)) {
                // Over the bound before the client was told: its cursor must still report the gap.
                putPositionLocked(channel, gapPending(start));
                return false;
            }
            ready = enqueueLocked(new Gap(channel), 0);
        }
        for (Message m : r.slice().messages()) {
            ready |= enqueueMessageLocked(m);
        }
        return ready;
    }

    // ---- queue ---------------------------------------------------------------------------

    /** Holds a live message for a recovering subscription, within the feed's bound. */
    private boolean holdLocked(Subscription sub, Message m) {
        List<Message> held = sub.held;
        if (!held.isEmpty() && held.get(held.size() - 1) == m) {
            // The hub offers a message once per matching registration (say /a/b and /a/*): hold it once.
            return false;
        }
        if (roomLocked(m.weight())) {
            sub.held.add(m);
            sub.heldBytes += m.weight();
            heldMessages++;
            heldBytes += m.weight();
        }
        return false;
    }

    /** Ends a subscription's holding: its held messages no longer count (queue or drop them). */
    private void releaseHeldLocked(Subscription sub) {
        if (sub.held != null) {
            heldMessages -= sub.held.size();
            heldBytes -= sub.heldBytes;
            sub.held = null;
            sub.heldBytes = 0;
        }
    }

    private boolean enqueueMessageLocked(Message m) {
        Position last = positionLocked(m.channel());
        if (last != null && last.epoch().equals(m.epoch()) && m.offset() <= last.offset()) {
            return false;
        }
        if (!roomLocked(m.weight())) {
            return false;
        }
        boolean ready = false;
        if (last != null && !last.epoch().equals(m.epoch())) {
            // The channel's epoch changed under a live subscription (its history was lost and its
            // offsets start again): the client must hear of the gap before the new epoch's message.
            ready = enqueueLocked(new Gap(m.channel()), 0);
        }
        // Moved only once queued: the cursor never passes a message the client did not get.
        putPositionLocked(m.channel(), m.position());
        return enqueueLocked(m, m.weight()) | ready;
    }

    /** Whether one more delivery of {@code weight} fits; if not, the feed is marked overflowed. */
    private boolean roomLocked(int weight) {
        if (overflowed) {
            return false;
        }
        if (queuedLocked() + heldMessages >= limits.maxMessages() || queuedBytes + heldBytes + weight > limits.maxBytes()) {
            overflowed = true;
            return false;
        }
        return true;
    }

    private boolean enqueueLocked(Delivery d, int weight) {
        if (queue == null) {
            queue = new ArrayDeque<>(3);
        }
        queue.addLast(d);
        queuedBytes += weight;
        if (!readySignalled) {
            readySignalled = true;
            return true;
        }
        return false;
    }

    /** Decides the listener call; an overflow closes the feed here, so exactly one caller reports it. */
    private Wake wakeLocked(boolean ready) {
        if (overflowed && !closed) {
            return new Wake(false, closeLocked());
        }
        return ready && !closed ? Wake.READY : Wake.NONE;
    }

    private void wake(Wake wake) {
        if (wake.overflowedFrom() != null) {
            unregister(wake.overflowedFrom());
            listener.onOverflow();
        } else if (wake.ready()) {
            listener.onReady();
        }
    }

    private boolean coveredLocked(String channel) {
        for (Subscription s = subscriptions; s != null; s = s.next) {
            if (s.pattern.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized String toString() {
        return "Feed[patterns=" + patternsLocked() + ", queued=" + queuedLocked() + "/" + queuedBytes + "B"
                + (heldMessages > 0 ? ", held=" + heldMessages + "/" + heldBytes + "B" : "")
                + (closed ? ", closed" : "") + (overflowed ? ", overflowed" : "") + "]";
    }

    /** For tests and diagnostics: channels with a position. */
    synchronized Collection<String> channels() {
        return List.copyOf(positionsLocked().keySet());
    }
}
