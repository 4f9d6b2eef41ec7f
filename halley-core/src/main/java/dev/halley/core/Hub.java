package dev.halley.core;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<String, Set<Feed>> exact = new ConcurrentHashMap<>();
    private final Map<String, Set<Feed>> oneSegment = new ConcurrentHashMap<>();
    private final Map<String, Set<Feed>> anyDepth = new ConcurrentHashMap<>();

    public Hub(Broker broker) {
        this(broker, System::currentTimeMillis);
    }

    public Hub(Broker broker, LongSupplier clock) {
        this.broker = broker;
        this.clock = clock;
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
        for (Map<String, Set<Feed>> r : List.of(exact, oneSegment, anyDepth)) {
            for (Set<Feed> feeds : r.values()) {
                n += feeds.isEmpty() ? 0 : 1;
            }
        }
        return n;
    }

    void register(ChannelPattern pattern, Feed feed) {
        registry(pattern).compute(pattern.base(), (base, feeds) -> {
            if (feeds == null) {
                feeds = ConcurrentHashMap.newKeySet();
            }
            if (feeds.isEmpty()) {
                broker.subscribe(pattern);
            }
            feeds.add(feed);
            return feeds;
        });
    }

    /**
     * The broker hears at once that this node no longer follows {@code pattern}, but the empty
     * set stays until {@link #sweep()}: when a publish answers every long-poll of a channel at
     * once, the next wave of polls refills the set, and rebuilding it (growing through a dozen
     * resizes for 10,000 clients) on every publish costs more than keeping it.
     */
    void unregister(ChannelPattern pattern, Feed feed) {
        registry(pattern).computeIfPresent(pattern.base(), (base, feeds) -> {
            if (feeds.remove(feed) && feeds.isEmpty()) {
                broker.unsubscribe(pattern);
            }
            return feeds;
        });
    }

    /** Forgets the registrations left empty since the last sweep. Call periodically (the server does every minute). */
    public void sweep() {
        for (Map<String, Set<Feed>> r : List.of(exact, oneSegment, anyDepth)) {
            for (String base : r.keySet()) {
                r.computeIfPresent(base, (b, feeds) -> feeds.isEmpty() ? null : feeds);
            }
        }
    }

    private Map<String, Set<Feed>> registry(ChannelPattern pattern) {
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

    private static void offerAll(Set<Feed> feeds, Message message) {
        if (feeds != null) {
            for (Feed f : feeds) {
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
