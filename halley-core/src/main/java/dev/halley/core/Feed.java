package dev.halley.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * <p><b>Bounds.</b> When the queue is over {@link FeedLimits} the feed closes itself and calls
 * {@link Listener#onOverflow()}: the door disconnects the client as {@link CloseReason#SLOW};
 * it can resume from its cursor. Other subscribers are never delayed.
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

        /** The client went over its bound and the feed closed itself. */
        void onOverflow();
    }

    private final Hub hub;
    private final FeedLimits limits;
    private final Listener listener;

    // Guarded by this.
    private final Map<ChannelPattern, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, Position> positions = new LinkedHashMap<>();
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean readySignalled;
    private boolean closed;
    private boolean overflowed;

    Feed(Hub hub, FeedLimits limits, Listener listener) {
        this.hub = hub;
        this.limits = limits;
        this.listener = listener;
    }

    /** One pattern this feed follows. */
    private static final class Subscription {
        final ChannelPattern pattern;
        final long registeredAt;
        List<Message> held = new ArrayList<>();

        Subscription(ChannelPattern pattern, long registeredAt) {
            this.pattern = pattern;
            this.registeredAt = registeredAt;
        }

        boolean recovering() {
            return held != null;
        }
    }

    /**
     * Follows {@code pattern} from {@code resume}. Fails with {@link ReplyError#TOO_MANY} over the
     * subscription limit, {@link ReplyError#BAD_CURSOR} for {@code since} on a wildcard. Subscribing
     * to a pattern already followed completes at once as recovered.
     */
    public CompletionStage<SubscribeResult> subscribe(ChannelPattern pattern, Resume resume) {
        if (pattern.isWildcard() && resume instanceof Resume.Since) {
            return CompletableFuture.failedFuture(new HalleyException(ReplyError.BAD_CURSOR,
                    "since applies to one channel; resume a wildcard subscription with a cursor."));
        }
        Subscription sub;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new HalleyException(ReplyError.UNAVAILABLE, "The connection is closed."));
            }
            if (subscriptions.containsKey(pattern)) {
                return CompletableFuture.completedFuture(new SubscribeResult(pattern, true, List.of()));
            }
            if (subscriptions.size() >= limits.maxSubscriptions()) {
                return CompletableFuture.failedFuture(new HalleyException(ReplyError.TOO_MANY,
                        "At most " + limits.maxSubscriptions() + " subscriptions per connection."));
            }
            sub = new Subscription(pattern, hub.now());
            subscriptions.put(pattern, sub);
        }
        hub.register(pattern, this);
        if (isClosed()) {
            hub.unregister(pattern, this);
            return CompletableFuture.failedFuture(new HalleyException(ReplyError.UNAVAILABLE, "The connection is closed."));
        }
        return recover(sub, resume).handle((slices, failure) -> {
            if (failure != null) {
                unsubscribe(pattern);
                throw failure instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(failure);
            }
            return finishRecovery(sub, slices);
        });
    }

    /** Stops following {@code pattern}; positions of channels no other pattern covers are forgotten. */
    public void unsubscribe(ChannelPattern pattern) {
        synchronized (this) {
            if (subscriptions.remove(pattern) == null) {
                return;
            }
            positions.keySet().removeIf(channel -> !coveredLocked(channel));
        }
        hub.unregister(pattern, this);
    }

    /** The patterns followed, in subscription order. */
    public synchronized List<ChannelPattern> patterns() {
        return List.copyOf(subscriptions.keySet());
    }

    /** Whether any subscription is still reading history. */
    public synchronized boolean recovering() {
        for (Subscription s : subscriptions.values()) {
            if (s.recovering()) {
                return true;
            }
        }
        return false;
    }

    /** A live message from the hub. Any thread; never blocks. */
    void offer(Message message) {
        boolean signal;
        synchronized (this) {
            if (closed) {
                return;
            }
            for (Subscription s : subscriptions.values()) {
                if (s.recovering() && s.pattern.matches(message.channel())) {
                    s.held.add(message);
                    return;
                }
            }
            signal = enqueueMessageLocked(message);
        }
        signalAfterUnlock(signal);
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
     * the next offer calls {@link Listener#onReady()} again.
     */
    public Batch take(int max) {
        synchronized (this) {
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
                readySignalled = false;
            }
            return new Batch(out, cursorLocked());
        }
    }

    /** Whether deliveries are waiting. */
    public synchronized boolean hasPending() {
        return !queue.isEmpty();
    }

    /** The resume point after everything taken so far (messages still queued are not skipped). */
    public synchronized Cursor cursor() {
        return cursorLocked();
    }

    private Cursor cursorLocked() {
        long time = hub.now();
        for (Subscription s : subscriptions.values()) {
            if (s.pattern.isWildcard()) {
                time = Math.min(time, s.registeredAt);
            }
        }
        if (queue.isEmpty()) {
            return new Cursor(positions, time);
        }
        Map<String, Position> taken = new LinkedHashMap<>(positions);
        java.util.Set<String> adjusted = new java.util.HashSet<>();
        for (Delivery d : queue) {
            if (d instanceof Message m && adjusted.add(m.channel())) {
                taken.put(m.channel(), new Position(m.epoch(), m.offset() - 1));
            }
        }
        return new Cursor(taken, time);
    }

    /** Unregisters everything and drops what is queued. Idempotent. */
    public void close() {
        List<ChannelPattern> patterns;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            patterns = List.copyOf(subscriptions.keySet());
            subscriptions.clear();
            queue.clear();
            queuedBytes = 0;
        }
        for (ChannelPattern p : patterns) {
            hub.unregister(p, this);
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    // ---- recovery ------------------------------------------------------------------------

    /** A slice with what the client asked for: whether it reaches back, and the start position. */
    private record Recovery(HistorySlice slice, boolean recovered, Position start) {
    }

    private CompletionStage<List<Recovery>> recover(Subscription sub, Resume resume) {
        ChannelPattern p = sub.pattern;
        Broker broker = hub.broker();
        if (!p.isWildcard()) {
            String channel = p.base();
            Position from = null;
            if (resume instanceof Resume.Since s) {
                from = new Position(s.epoch(), s.offset());
            } else if (resume instanceof Resume.From f) {
                from = f.cursor().positions().get(channel);
            }
            if (from == null) {
                return broker.history(channel, Long.MAX_VALUE, 0)
                        .thenApply(slice -> List.of(new Recovery(slice, true, slice.top())));
            }
            return replayAfter(broker, channel, from).thenApply(List::of);
        }
        if (!(resume instanceof Resume.From f)) {
            return CompletableFuture.completedFuture(List.of());
        }
        Cursor cursor = f.cursor();
        return broker.channels(p).thenCompose(channels -> {
            List<CompletableFuture<Recovery>> parts = new ArrayList<>();
            for (String channel : channels) {
                Position from = cursor.positions().get(channel);
                parts.add((from != null ? replayAfter(broker, channel, from) : replaySince(broker, channel, cursor.time()))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
        });
    }

    private static CompletionStage<Recovery> replayAfter(Broker broker, String channel, Position from) {
        return broker.history(channel, from.offset(), Integer.MAX_VALUE).thenCompose(slice -> {
            if (slice.reaches(from.offset(), from.epoch())) {
                return CompletableFuture.completedFuture(new Recovery(slice, true, new Position(slice.epoch(), from.offset())));
            }
            boolean sameEpochBehind = (from.epoch() == null || from.epoch().equals(slice.epoch()))
                    && from.offset() <= slice.latestOffset();
            if (sameEpochBehind) {
                // History was trimmed past the client: the slice already holds all that is left.
                return CompletableFuture.completedFuture(new Recovery(slice, false, new Position(slice.epoch(), 0)));
            }
            // Another epoch (or offsets ahead of the channel): replay all history of this epoch.
            return broker.history(channel, 0, Integer.MAX_VALUE)
                    .thenApply(all -> new Recovery(all, false, new Position(all.epoch(), 0)));
        });
    }

    /**
     * A channel first met by a wildcard resume: what was published since the cursor's time. It is
     * whole when history never dropped anything, or still holds a message older than that time;
     * an empty history of a channel that had messages cannot tell, so it reports a gap.
     */
    private static CompletionStage<Recovery> replaySince(Broker broker, String channel, long time) {
        return broker.historySince(channel, time).thenApply(slice -> {
            List<Message> held = slice.messages();
            boolean whole;
            if (slice.firstOffset() == 1) {
                whole = true;
            } else if (slice.firstOffset() > slice.latestOffset()) {
                whole = false;
            } else {
                whole = held.isEmpty() || held.get(0).offset() > slice.firstOffset();
            }
            return new Recovery(slice, whole, new Position(slice.epoch(), 0));
        });
    }

    private SubscribeResult finishRecovery(Subscription sub, List<Recovery> recoveries) {
        List<String> gaps = new ArrayList<>();
        boolean signal = false;
        synchronized (this) {
            if (closed || subscriptions.get(sub.pattern) != sub) {
                return new SubscribeResult(sub.pattern, true, List.of());
            }
            for (Recovery r : recoveries) {
                String channel = r.slice().channel();
                Position known = positions.get(channel);
                if (known == null || !known.epoch().equals(r.start().epoch())) {
                    positions.put(channel, r.start());
                }
                if (!r.recovered()) {
                    gaps.add(channel);
                    signal |= enqueueLocked(new Gap(channel), 0);
                }
                for (Message m : r.slice().messages()) {
                    signal |= enqueueMessageLocked(m);
                }
            }
            List<Message> held = sub.held;
            sub.held = null;
            for (Message m : held) {
                signal |= enqueueMessageLocked(m);
            }
        }
        signalAfterUnlock(signal);
        return new SubscribeResult(sub.pattern, gaps.isEmpty(), List.copyOf(gaps));
    }

    // ---- queue ---------------------------------------------------------------------------

    private boolean enqueueMessageLocked(Message m) {
        Position last = positions.get(m.channel());
        if (last != null && last.epoch().equals(m.epoch()) && m.offset() <= last.offset()) {
            return false;
        }
        positions.put(m.channel(), m.position());
        return enqueueLocked(m, m.weight());
    }

    private boolean enqueueLocked(Delivery d, int weight) {
        if (overflowed) {
            return false;
        }
        if (queue.size() >= limits.maxMessages() || queuedBytes + weight > limits.maxBytes()) {
            overflowed = true;
            return false;
        }
        queue.addLast(d);
        queuedBytes += weight;
        if (!readySignalled) {
            readySignalled = true;
            return true;
        }
        return false;
    }

    private void signalAfterUnlock(boolean ready) {
        boolean overflow;
        synchronized (this) {
            overflow = overflowed && !closed;
        }
        if (overflow) {
            close();
            listener.onOverflow();
        } else if (ready) {
            listener.onReady();
        }
    }

    private boolean coveredLocked(String channel) {
        for (ChannelPattern p : subscriptions.keySet()) {
            if (p.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public synchronized String toString() {
        return "Feed[patterns=" + subscriptions.keySet() + ", queued=" + queue.size() + "/" + queuedBytes + "B"
                + (closed ? ", closed" : "") + (overflowed ? ", overflowed" : "") + "]";
    }

    /** For tests and diagnostics: channels with a position. */
    synchronized Collection<String> channels() {
        return List.copyOf(positions.keySet());
    }
}
