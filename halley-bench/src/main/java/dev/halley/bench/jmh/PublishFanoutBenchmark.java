package dev.halley.bench.jmh;

import dev.halley.core.ChannelPattern;
import dev.halley.core.Feed;
import dev.halley.core.FeedLimits;
import dev.halley.core.HistoryLimits;
import dev.halley.core.Hub;
import dev.halley.core.InMemoryBroker;
import dev.halley.core.Resume;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One publish through the core to {@code subscribers} local feeds on one channel: {@link Hub#publish}
 * on the {@link InMemoryBroker} (sequence, history ring, ordered dispatch), the hub's offer to
 * every feed, and each feed's door taking its batch (with the batch's cursor) the moment
 * {@link Feed.Listener#onReady()} fires, as a door does once it is on its event loop. No socket
 * and no encoding: that is {@link EncodingBenchmark}.
 *
 * <p>One operation is one publish; the {@code deliveries} counter (a JMH auxiliary counter, in
 * the same unit) counts the deliveries actually taken, so deliveries/s comes out of the run.
 * Allocation per delivery is {@code gc.alloc.rate.norm} divided by {@code subscribers}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PublishFanoutBenchmark {
    /** What a stream door takes per batch ({@code StreamingResponse.MAX_BATCH}). */
    static final int MAX_BATCH = 64;

    @Param({"1", "100", "10000"})
    public int subscribers;

    private Hub hub;
    private final List<Feed> feeds = new ArrayList<>();
    /** Deliveries taken by all doors so far; only the benchmark thread publishes, so only it takes. */
    long taken;

    /** Deliveries per iteration, reported by JMH next to the publishes. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Deliveries {
        public long deliveries;

        @Setup(Level.Iteration)
        public void reset() {
            deliveries = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        hub = new Hub(new InMemoryBroker(HistoryLimits.DEFAULT));
        ChannelPattern channel = ChannelPattern.parse(Payloads.CHANNEL);
        for (int i = 0; i < subscribers; i++) {
            Door door = new Door();
            door.feed = hub.newFeed(FeedLimits.DEFAULT, door);
            door.feed.subscribe(channel, Resume.LIVE).toCompletableFuture().join();
            feeds.add(door.feed);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        feeds.forEach(Feed::close);
        feeds.clear();
        hub.close();
    }

    @Benchmark
    public long publish(Deliveries counter) {
        long before = taken;
        hub.publish(Payloads.CHANNEL, Payloads.CHAT);
        long delivered = taken - before;
        counter.deliveries += delivered;
        return delivered;
    }

    /** A door reduced to what the core asks of it: take the batch when told, never fall behind. */
    private final class Door implements Feed.Listener {
        Feed feed;

        @Override
        public void onReady() {
            // A real door hops to its event loop first; taking here, on the publishing thread, keeps
            // the queue at one message and measures the take (batch and cursor) with the offer.
            taken += feed.take(MAX_BATCH).deliveries().size();
        }

        @Override
        public void onOverflow() {
            throw new IllegalStateException("a benchmark door fell behind: " + feed);
        }
    }
}
