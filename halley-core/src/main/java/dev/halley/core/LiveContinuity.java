package dev.halley.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live half of a clustered broker: turns what an engine's pub/sub hands a node (messages that
 * may be lost on a dropped connection or an overflowing buffer, repeated when two engine
 * subscriptions match one channel, or met first in the middle of a run) into what
 * {@link Broker.Listener} promises: per channel, offset order, each message once, nothing skipped
 * that history still holds.
 *
 * <p>It keeps, per followed channel, the last {@code (epoch, offset)} handed over. A message right
 * after it is handed over; one at or before it is a repeat and dropped; one further on means
 * live messages were lost: it is held while the run between is read from history (the
 * {@link HistoryReader}), then the run and the held messages go out in order. A message of
 * another epoch means the channel's history was lost: the new epoch is followed from its start.
 *
 * <p><b>Following.</b> The broker calls {@link #prepareChannel} before asking its engine for a
 * channel, and {@link #followChannel} with the channel's top position read once the engine
 * confirmed; messages met in between are held, then those after the top are handed over. That
 * is the readiness the {@link Broker} contract promises. Wildcards are followed with
 * {@link #followPattern}: a channel first met under one starts where it is met, unless the
 * engine connection was {@linkplain #interrupted interrupted} since, in which case its history
 * since the interruption is handed over first.
 *
 * <p><b>Threading and bounds.</b> Every method may be called from any thread; all state lives on
 * one thread of its own, which is also the thread that calls the listener (so calls never
 * overlap). Live messages waiting for that thread are bounded ({@code maxQueued}): past it they
 * are dropped and counted, and the channels are checked against history as after an
 * interruption. Messages held per channel during a repair are bounded alike.
 */
public final class LiveContinuity implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveContinuity.class);
    /** Messages held per channel while its baseline or a repair is read; past it the oldest held are dropped. */
    static final int MAX_HELD = 10_000;
    /** How far before an interruption a first-met channel is replayed from: the engine's and this node's clocks may differ. */
    static final long CLOCK_MARGIN_MILLIS = 1_000;

    /** Reads what history holds of a channel after an offset (all of it). */
    public interface HistoryReader {
        CompletionStage<HistorySlice> after(String channel, long offset);
    }

    private final Broker.Listener listener;
    private final HistoryReader history;
    private final LongSupplier clock;
    private final int maxQueued;
    private final ExecutorService loop;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean overflowCheckScheduled = new AtomicBoolean();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong repeats = new AtomicLong();
    private final AtomicLong repairs = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    // Confined to the loop thread.
    private final Map<String, Track> tracks = new HashMap<>();
    private final Set<String> exact = new HashSet<>();
    private final Map<ChannelPattern, Watch> watches = new HashMap<>();
    private long interruptions;
    private long lostSince = Long.MIN_VALUE;

    /** One followed channel: where it stands, and what waits while a baseline or repair is read. */
    private static final class Track {
        String epoch;
        long last;
        boolean holding;
        boolean repairing;
        long lastActive;
        final List<Message> held = new ArrayList<>();
    }

    /** A wildcard followed since {@code interruptions} interruptions had happened. */
    private record Watch(long interruptions) {
    }

    /**
     * @param name names the thread ({@code halley-<name>-live})
     * @param listener the broker's listener: gets every message in order
     * @param history reads history for repairs (should not wait for readiness)
     * @param clock wall clock, epoch millis
     * @param maxQueued live messages that may wait for the thread before new ones are dropped
     */
    public LiveContinuity(String name, Broker.Listener listener, HistoryReader history, LongSupplier clock, int maxQueued) {
        this.listener = listener;
        this.history = history;
        this.clock = clock;
        this.maxQueued = maxQueued;
        this.loop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "halley-" + name + "-live");
            t.setDaemon(true);
            return t;
        });
    }

    // ---- called by the broker, any thread ---------------------------------------------------

    /** A live message from the engine. Never blocks; dropped (and repaired later) when too many wait. */
    public void offer(Message m) {
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            if (overflowCheckScheduled.compareAndSet(false, true)) {
                long at = clock.getAsLong();
                run(() -> {
                    overflowCheckScheduled.set(false);
                    onInterrupted(at);
                });
            }
            return;
        }
        run(() -> {
            queued.decrementAndGet();
            onLive(m);
        });
    }

    /** The broker is about to subscribe its engine to {@code channel}: hold its messages until {@link #followChannel}. */
    public void prepareChannel(String channel) {
        run(() -> {
            exact.add(channel);
            tracks.computeIfAbsent(channel, c -> {
                Track t = new Track();
                t.holding = true;
                return t;
            });
        });
    }

    /** The engine confirmed {@code channel} and its top was read after that: hand over what follows {@code top}. */
    public void followChannel(String channel, Position top) {
        run(() -> {
            Track t = tracks.get(channel);
            if (t == null || !t.holding) {
                return;
            }
            t.holding = false;
            t.epoch = top.epoch();
            t.last = top.offset();
            t.lastActive = clock.getAsLong();
            release(channel, t);
        });
    }

    /** Follows the wildcard {@code pattern} (call before asking the engine for it). */
    public void followPattern(ChannelPattern pattern) {
        run(() -> watches.put(pattern, new Watch(interruptions)));
    }

    /** Stops following {@code pattern}; state for channels nothing else follows is dropped. */
    public void unfollow(ChannelPattern pattern) {
        run(() -> {
            if (pattern.isWildcard()) {
                watches.remove(pattern);
                tracks.keySet().removeIf(channel -> pattern.matches(channel) && !followedLocally(channel));
            } else {
                exact.remove(pattern.base());
                if (!followedLocally(pattern.base())) {
                    tracks.remove(pattern.base());
                }
            }
        });
    }

    /**
     * The engine connection was interrupted since {@code since} (epoch millis; it is back now and
     * re-subscribed) or live messages were dropped: every followed channel is checked against
     * history, and channels first met under a wildcard from now on replay their history since then.
     */
    public void interrupted(long since) {
        run(() -> onInterrupted(since));
    }

    /** Drops state of wildcard-met channels quiet for {@code idleMillis}. */
    public void sweep(long idleMillis) {
        run(() -> {
            long now = clock.getAsLong();
            tracks.entrySet().removeIf(e -> !exact.contains(e.getKey()) && !e.getValue().repairing
                    && now - e.getValue().lastActive > idleMillis);
        });
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }

    /**
     * Completes once the loop has run what was handed to it before, and what that handed on at
     * once (a repair whose history read completed immediately). For tests.
     */
    CompletableFuture<Void> barrier() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(() -> run(() -> done.complete(null)));
        return done;
    }

    // ---- on the loop ----------------------------------------------------------------------

    private void run(Runnable task) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Live delivery failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: nothing more is delivered.
        }
    }

    private boolean followedLocally(String channel) {
        if (exact.contains(channel)) {
            return true;
        }
        for (ChannelPattern p : watches.keySet()) {
            if (p.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    private void onLive(Message m) {
        String channel = m.channel();
        Track t = tracks.get(channel);
        if (t == null) {
            Watch w = watchFor(channel);
            if (w == null) {
                return; // not followed here (any more)
            }
            t = new Track();
            tracks.put(channel, t);
            if (w.interruptions() != interruptions && m.offset() > 1) {
                // Met first after an interruption: what it published meanwhile may be lost.
                t.epoch = m.epoch();
                repair(channel, t, m, lostSince == Long.MIN_VALUE ? Long.MIN_VALUE : lostSince - CLOCK_MARGIN_MILLIS);
                return;
            }
            t.epoch = m.epoch();
            t.last = m.offset() - 1;
        }
        if (t.holding || t.repairing) {
            hold(t, m);
            return;
        }
        advance(channel, t, m);
    }

    private Watch watchFor(String channel) {
        for (Map.Entry<ChannelPattern, Watch> e : watches.entrySet()) {
            if (e.getKey().matches(channel)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Hands over {@code m} if it is next, drops it if seen, repairs the run before it otherwise. */
    private void advance(String channel, Track t, Message m) {
        if (!m.epoch().equals(t.epoch)) {
            // The channel's history was lost and its offsets started again.
            t.epoch = m.epoch();
            t.last = 0;
        }
        if (m.offset() <= t.last) {
            repeats.incrementAndGet();
        } else if (m.offset() == t.last + 1) {
            emit(t, m);
        } else {
            repair(channel, t, m, Long.MIN_VALUE);
        }
    }

    /** Reads history after the track's position, holding {@code m} (and what arrives meanwhile) until it is in. */
    private void repair(String channel, Track t, Message m, long sinceTime) {
        t.repairing = true;
        if (m != null) {
            hold(t, m);
        }
        repairs.incrementAndGet();
        CompletionStage<HistorySlice> read;
        try {
            read = history.after(channel, t.last);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((slice, failure) -> run(() -> repaired(channel, t, slice, failure, sinceTime)));
    }

    private void repaired(String channel, Track t, HistorySlice slice, Throwable failure, long sinceTime) {
        if (tracks.get(channel) != t) {
            return; // unfollowed meanwhile
        }
        t.repairing = false;
        if (failure != null) {
            // Held messages go out with the gap (asking again would spin while the engine is away);
            // without any, the next live message or interruption asks again.
            LOG.warn("Could not repair {} from history ({}); live messages continue with a gap", channel, failure.toString());
            if (!t.held.isEmpty()) {
                t.epoch = t.held.get(0).epoch();
                t.last = t.held.get(0).offset() - 1;
            }
        } else {
            catchUp(t, slice, sinceTime);
        }
        release(channel, t);
    }

    /** Hands over what {@code slice} holds past the track; history that no longer reaches back is skipped. */
    private void catchUp(Track t, HistorySlice slice, long sinceTime) {
        if (!slice.epoch().equals(t.epoch)) {
            t.epoch = slice.epoch();
            t.last = 0;
        }
        t.last = Math.max(t.last, slice.firstOffset() - 1);
        for (Message h : slice.messages()) {
            if (h.offset() <= t.last) {
                continue;
            }
            if (h.time() >= sinceTime) {
                emit(t, h);
            } else {
                t.last = h.offset();
            }
        }
    }

    /**
     * Passes the held messages through again, in arrival order. One of another epoch than the
     * track's (which history just gave) may be stale or new: it is dropped, and history, asked
     * once more, decides.
     */
    private void release(String channel, Track t) {
        List<Message> held = new ArrayList<>(t.held);
        t.held.clear();
        boolean otherEpoch = false;
        for (Message m : held) {
            if (t.repairing || t.holding) {
                hold(t, m);
            } else if (m.epoch().equals(t.epoch) || m.offset() == 1) {
                advance(channel, t, m);
            } else {
                otherEpoch = true;
            }
        }
        if (otherEpoch && !t.repairing && !t.holding) {
            repair(channel, t, null, Long.MIN_VALUE);
        }
    }

    private void hold(Track t, Message m) {
        if (t.held.size() >= MAX_HELD) {
            t.held.remove(0);
            dropped.incrementAndGet();
        }
        t.held.add(m);
    }

    private void emit(Track t, Message m) {
        t.last = m.offset();
        t.epoch = m.epoch();
        t.lastActive = clock.getAsLong();
        delivered.incrementAndGet();
        try {
            listener.onMessage(m);
        } catch (RuntimeException e) {
            LOG.error("Listener failed on {}", m, e);
        }
    }

    private void onInterrupted(long since) {
        interruptions++;
        lostSince = lostSince == Long.MIN_VALUE ? since : Math.max(lostSince, since);
        for (Iterator<Map.Entry<String, Track>> it = tracks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Track> e = it.next();
            Track t = e.getValue();
            if (!t.holding && !t.repairing) {
                repair(e.getKey(), t, null, Long.MIN_VALUE);
            }
        }
    }

    @Override
    public String toString() {
        return "LiveContinuity[delivered=" + delivered + ", repeats=" + repeats + ", repairs=" + repairs
                + ", dropped=" + dropped + ", queued=" + queued + "]";
    }
}
