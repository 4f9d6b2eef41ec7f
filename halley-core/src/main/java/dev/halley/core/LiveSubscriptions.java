package dev.halley.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription side of a clustered broker, shared by the engines: which patterns this node
 * follows, when each is in force at the engine (the readiness history reads wait for), and what
 * happens after the engine connection comes back. Live messages go through a
 * {@link LiveContinuity}.
 *
 * <p>A broker calls {@link #subscribe}/{@link #unsubscribe} from its {@link Broker} methods,
 * chains its history reads after {@link #ready}, hands live messages to {@link #offer}, and calls
 * {@link #disconnected()} and {@link #reconnected()} on connection events. After a reconnect every
 * followed pattern is asked of the engine again (engines that renew subscriptions themselves
 * ignore the repeat; this also covers subscriptions that failed while the engine was away), and
 * once all are in force every followed channel is checked against history. One renewal runs at a
 * time; a failed one is tried again {@link #RETRY_DELAY} later.
 */
public final class LiveSubscriptions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSubscriptions.class);
    /** Live messages waiting for delivery before new ones are dropped (and repaired from history). */
    public static final int MAX_QUEUED = 100_000;
    static final long RETRY_DELAY = 1_000;

    /** What a broker's engine does for subscriptions. */
    public interface Engine {
        /** Asks the engine for the live messages of {@code pattern}; completes once that is in force. */
        CompletionStage<Void> subscribe(ChannelPattern pattern);

        /** Stops asking the engine for {@code pattern}. */
        void unsubscribe(ChannelPattern pattern);

        /** Reads the top position of {@code channel} (a read that does not wait for readiness). */
        CompletionStage<Position> top(String channel);
    }

    private final String name;
    private final Engine engine;
    private final LongSupplier clock;
    private final LiveContinuity live;
    private final Set<ChannelPattern> followed = ConcurrentHashMap.newKeySet();
    /** Subscriptions not yet in force at the engine; history reads of their channels wait for them. */
    private final Map<ChannelPattern, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final AtomicBoolean renewAgain = new AtomicBoolean();
    private final AtomicLong lostSince = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong renewals = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param name names the delivery thread and log lines (e.g. {@code redis})
     * @param listener the broker's listener
     * @param engine the engine's subscription commands
     * @param history reads history for repairs (without waiting for readiness)
     * @param clock wall clock, epoch millis
     */
    public LiveSubscriptions(String name, Broker.Listener listener, Engine engine, LiveContinuity.HistoryReader history,
            LongSupplier clock) {
        this.name = name;
        this.engine = engine;
        this.clock = clock;
        this.live = new LiveContinuity(name, listener, history, clock, MAX_QUEUED);
    }

    /** A live message from the engine; any thread, never blocks. */
    public void offer(Message m) {
        live.offer(m);
    }

    public void subscribe(ChannelPattern pattern) {
        followed.add(pattern);
        if (pattern.isWildcard()) {
            live.followPattern(pattern);
        } else {
            live.prepareChannel(pattern.base());
        }
        activate(pattern);
    }

    public void unsubscribe(ChannelPattern pattern) {
        followed.remove(pattern);
        pending.remove(pattern);
        engine.unsubscribe(pattern);
        live.unfollow(pattern);
    }

    /** Asks the engine for {@code pattern}; for a channel, reads its top once that is in force. */
    private CompletableFuture<Void> activate(ChannelPattern pattern) {
        CompletableFuture<Void> ready;
        try {
            ready = engine.subscribe(pattern).thenCompose(v -> pattern.isWildcard()
                    ? CompletableFuture.<Void>completedFuture(null)
                    : engine.top(pattern.base()).thenAccept(top -> live.followChannel(pattern.base(), top)))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            ready = CompletableFuture.failedFuture(e);
        }
        pending.put(pattern, ready);
        CompletableFuture<Void> mine = ready;
        ready.whenComplete((v, failure) -> {
            if (failure == null) {
                pending.remove(pattern, mine);
            } else if (!closed && followed.contains(pattern) && lostSince.get() == Long.MIN_VALUE) {
                // Failed while connected (a timeout): reads of its channels fail until it is asked again, shortly.
                // While disconnected, the renewal after the reconnect asks again.
                CompletableFuture.delayedExecutor(RETRY_DELAY, TimeUnit.MILLISECONDS).execute(() -> {
                    if (!closed && followed.contains(pattern) && pending.get(pattern) == mine) {
                        activate(pattern);
                    }
                });
            }
        });
        return ready;
    }

    /** Completes when every subscription covering {@code channel} is in force at the engine. */
    public CompletionStage<Void> ready(String channel) {
        List<CompletableFuture<Void>> waits = new ArrayList<>(1);
        for (Map.Entry<ChannelPattern, CompletableFuture<Void>> e : pending.entrySet()) {
            if (e.getKey().matches(channel)) {
                waits.add(e.getValue());
            }
        }
        return switch (waits.size()) {
            case 0 -> CompletableFuture.completedFuture(null);
            case 1 -> waits.get(0);
            default -> CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
        };
    }

    /** The engine connection dropped: live messages from now on may be lost. */
    public void disconnected() {
        lostSince.compareAndSet(Long.MIN_VALUE, clock.getAsLong());
    }

    /** The engine connection is back (after {@link #disconnected()}): renew, then repair. */
    public void reconnected() {
        if (lostSince.get() != Long.MIN_VALUE && !closed) {
            renew();
        }
    }

    /** Whether a disconnect has not yet been followed by a successful renewal. */
    public boolean isDisconnected() {
        return lostSince.get() != Long.MIN_VALUE;
    }

    private void renew() {
        if (!renewing.compareAndSet(false, true)) {
            renewAgain.set(true);
            return;
        }
        long since = lostSince.getAndSet(Long.MIN_VALUE);
        renewals.incrementAndGet();
        LOG.info("Reconnected to {}: renewing {} subscriptions, then repairing from history", name, followed.size());
        List<CompletableFuture<Void>> renewed = new ArrayList<>();
        for (ChannelPattern p : followed) {
            renewed.add(activate(p));
        }
        CompletableFuture.allOf(renewed.toArray(CompletableFuture[]::new)).whenComplete((v, failure) -> {
            if (failure == null) {
                live.interrupted(since == Long.MIN_VALUE ? clock.getAsLong() : since);
            } else {
                lostSince.compareAndSet(Long.MIN_VALUE, since);
                LOG.info("Renewing subscriptions at {} failed ({}); trying again", name, failure.toString());
            }
            renewing.set(false);
            if (renewAgain.getAndSet(false) || failure != null) {
                CompletableFuture.delayedExecutor(RETRY_DELAY, TimeUnit.MILLISECONDS).execute(() -> {
                    if (!closed) {
                        renew();
                    }
                });
            }
        });
    }

    /** Drops delivery state of wildcard-met channels quiet for {@code idleMillis}. */
    public void sweep(long idleMillis) {
        live.sweep(idleMillis);
    }

    @Override
    public void close() {
        closed = true;
        live.close();
    }

    @Override
    public String toString() {
        return "followed=" + followed.size() + ", pending=" + pending.size() + ", renewals=" + renewals + ", " + live;
    }
}
