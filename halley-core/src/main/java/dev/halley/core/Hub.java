package dev.halley.core;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of channels on this node and the one entry point for publishing and
 * subscribing. Publishes go to the {@link Broker}, which sequences them and hands every message
 * back (from this node or another) to {@link #onMessage}, which offers it to each local
 * {@link Feed} whose patterns match. Thread-safe; delivery takes no global lock.
 */
public final class Hub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Hub.class);

    private final Broker broker;
    private final LongSupplier clock;
    /** Feeds by exact channel, by one-segment wildcard base, by any-depth wildcard base. */
    private final Map<String, Registration> exact = new ConcurrentHashMap<>();
    private final Map<String, Registration> oneSegment = new ConcurrentHashMap<>();
    private final Map<String, Registration> anyDepth = new ConcurrentHashMap<>();
    /** Locks that serialise each feed's registrations, handed out in turn (see {@link Feed}). */
    private final Object[] registrationLocks = new Object[64];
    private final AtomicInteger nextRegistrationLock = new AtomicInteger();

    /**
     * The local feeds of one pattern, and the pattern itself: the one instance every feed that
     * follows it keeps ({@link #canonical}), rather than one per client (with its strings) parsed
     * from each request.
     */
    private static final class Registration {
        final ChannelPattern pattern;
        final Set<Feed> feeds = ConcurrentHashMap.newKeySet();

        Registration(ChannelPattern pattern) {
            this.pattern = pattern;
        }
    }

    public Hub(Broker broker) {
        this(broker, System::currentTimeMillis);
    }

    public Hub(Broker broker, LongSupplier clock) {
        this.broker = broker;
        this.clock = clock;
        for (int i = 0; i < registrationLocks.length; i++) {
            registrationLocks[i] = new Object();
        }
        broker.start(this::onMessage);
    }

    /**
     * Publishes {@code data}, which must be valid JSON bytes (validate at the edge), to the
     * concrete channel {@code channel}. Completes with the stored message (its offset) or fails
     * with a {@link HalleyException}.
     */
    public CompletionStage<Message> publish(String channel, byte[] data) {
        return broker.publish(ChannelName.check(channel), data);
    }

    /** A new, empty feed for one client connection. */
    public Feed newFeed(FeedLimits limits, Feed.Listener listener) {
        return new Feed(this, limits, listener);
    }

    /** What history holds of {@code channel} after {@code after}. */
    public CompletionStage<HistorySlice> history(String channel, long after, int limit) {
        return broker.history(ChannelName.check(channel), after, limit);
    }

    public Broker broker() {
        return broker;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Number of distinct exact channels and wildcard patterns with local subscribers. */
    public int subscribedPatterns() {
        int n = 0;
        for (Map<String, Registration> r : List.of(exact, oneSegment, anyDepth)) {
            for (Registration reg : r.values()) {
                n += reg.feeds.isEmpty() ? 0 : 1;
            }
        }
        return n;
    }

    /** A lock for a new feed's registrations: one of a few, in turn. */
    Object registrationLock() {
        return registrationLocks[nextRegistrationLock.getAndIncrement() & (registrationLocks.length - 1)];
    }

    /** The instance of {@code pattern} the hub already keeps for other feeds, or {@code pattern} itself. */
    ChannelPattern canonical(ChannelPattern pattern) {
        Registration reg = registry(pattern).get(pattern.base());
        return reg != null && reg.pattern.equals(pattern) ? reg.pattern : pattern;
    }

    void register(ChannelPattern pattern, Feed feed) {
        registry(pattern).compute(pattern.base(), (base, reg) -> {
            if (reg == null) {
                reg = new Registration(pattern);
            }
            if (reg.feeds.isEmpty()) {
                broker.subscribe(pattern);
            }
            reg.feeds.add(feed);
            return reg;
        });
    }

    /**
     * The broker hears at once that this node no longer follows {@code pattern}, but the empty
     * set stays until {@link #sweep()}: when a publish answers every long-poll of a channel at
     * once, the next wave of polls refills the set, and rebuilding it (growing through a dozen
     * resizes for 10,000 clients) on every publish costs more than keeping it.
     */
    void unregister(ChannelPattern pattern, Feed feed) {
        registry(pattern).computeIfPresent(pattern.base(), (base, reg) -> {
            if (reg.feeds.remove(feed) && reg.feeds.isEmpty()) {
                broker.unsubscribe(pattern);
            }
            return reg;
        });
    }

    /** Forgets the registrations left empty since the last sweep. Call periodically (the server does every minute). */
    public void sweep() {
        for (Map<String, Registration> r : List.of(exact, oneSegment, anyDepth)) {
            for (String base : r.keySet()) {
                r.computeIfPresent(base, (b, reg) -> reg.feeds.isEmpty() ? null : reg);
            }
        }
    }

    private Map<String, Registration> registry(ChannelPattern pattern) {
        return switch (pattern.kind()) {
            case EXACT -> exact;
            case ONE_SEGMENT -> oneSegment;
            case ANY_DEPTH -> anyDepth;
        };
    }

    /** A message from the broker: offer it to every local feed that follows its channel. */
    void onMessage(Message message) {
        String channel = message.channel();
        offerAll(exact.get(channel), message);
        if (oneSegment.isEmpty() && anyDepth.isEmpty()) {
            return;
        }
        int last = channel.lastIndexOf('/');
        for (int i = channel.indexOf('/'); i >= 0 && i < channel.length() - 1; i = channel.indexOf('/', i + 1)) {
            String base = channel.substring(0, i + 1);
            offerAll(anyDepth.get(base), message);
            if (i == last) {
                offerAll(oneSegment.get(base), message);
            }
        }
    }

    private static void offerAll(Registration reg, Message message) {
        if (reg != null) {
            for (Feed f : reg.feeds) {
                try {
                    f.offer(message);
                } catch (RuntimeException e) {
                    // A door's listener threw: that is its client's problem only. The channel's other
                    // feeds still get the message, and the publisher (whose thread may deliver) is not failed.
                    LOG.error("Feed listener failed on {} for {}", message, f, e);
                }
            }
        }
    }

    @Override
    public void close() {
        broker.close();
    }

    @Override
    public String toString() {
        return "Hub[exact=" + exact.size() + ", oneSegment=" + oneSegment.size() + ", anyDepth=" + anyDepth.size()
                + ", broker=" + broker.getClass().getSimpleName() + "]";
    }
}
