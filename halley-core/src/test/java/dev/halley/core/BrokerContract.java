package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Broker} contract as one test body, run against every broker: subclass it once per
 * broker and say how to make a node. Each test gets a fresh namespace (a key or subject prefix
 * no other test or program uses); nodes made in one test share it, as the nodes of one cluster
 * share an engine.
 *
 * <p>Where a broker cannot keep a promise, the subclass says so through {@link #messageTime()}
 * and the test asserts the documented difference instead of skipping it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class BrokerContract {
    /** Roomy limits for tests that are not about bounds. */
    protected static final HistoryLimits ROOMY = new HistoryLimits(1000, Duration.ofSeconds(300), Duration.ofHours(1));

    /** Where a message's {@link Message#time()} comes from. */
    protected enum MessageTime {
        /** The engine's clock: one clock for all nodes, never backwards within a channel. */
        ENGINE,
        /** The publishing node's clock: never backwards within a channel published from one node only. */
        NODE
    }

    private final List<Broker> started = new ArrayList<>();
    private String namespace;

    /**
     * A new node (not yet started) in {@code namespace}, with {@code limits}; {@code clock} is the
     * node's wall clock where the broker uses one.
     */
    protected abstract Broker node(String namespace, HistoryLimits limits, LongSupplier clock);

    /** Whether several nodes can share a namespace (false for a broker that lives in one process). */
    protected abstract boolean clustered();

    /** A node whose engine cannot be reached, or null for a broker without an engine. */
    protected abstract Broker unreachable(HistoryLimits limits);

    protected abstract MessageTime messageTime();

    /** Removes what {@code namespace} left in the engine. */
    protected void cleanUp(String namespace) {
    }

    @BeforeEach
    void freshNamespace() {
        namespace = "ct" + Epochs.random();
    }

    @AfterEach
    void closeNodes() {
        for (Broker b : started) {
            b.close();
        }
        started.clear();
        cleanUp(namespace);
    }

    // ---- order and offsets ----------------------------------------------------------------

    @Test
    void offsetsStartAtOneAndGrowByOnePerChannel() {
        Node n = start(ROOMY);
        List<Long> a = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            a.add(n.publish("/a", i).offset());
            if (i % 2 == 0) {
                n.publish("/b", i);
            }
        }
        assertThat(a).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(n.publish("/b", 9).offset()).isEqualTo(4);
    }

    @Test
    void publishedMessageCarriesChannelEpochTimeAndData() {
        Node n = start(ROOMY);
        long before = System.currentTimeMillis();
        Message m = n.publish("/a", 7);
        long after = System.currentTimeMillis();
        assertThat(m.channel()).isEqualTo("/a");
        assertThat(m.time()).isBetween(before - 1000, after + 1000);
        assertThat(new String(m.data(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":7}");
        assertThat(Epochs.isValid(m.epoch())).isTrue();
        HistorySlice s = done(n.broker.history("/a", 0, 10));
        assertThat(s.epoch()).isEqualTo(m.epoch());
        assertThat(describe(s.messages())).containsExactly(describe(m));
        assertThat(s.messages().get(0).time()).isEqualTo(m.time());
    }

    @Test
    void concurrentPublishersOnSeveralNodesGetEveryOffsetOnce() {
        assumeTrue(clustered(), "one-process broker");
        Node a = start(ROOMY);
        Node b = start(ROOMY);
        Node watcher = start(ROOMY);
        watcher.subscribe("/race");
        List<CompletableFuture<Message>> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add(a.broker.publish("/race", json(i)).toCompletableFuture());
            sent.add(b.broker.publish("/race", json(1000 + i)).toCompletableFuture());
        }
        Set<Long> offsets = new HashSet<>();
        for (CompletableFuture<Message> f : sent) {
            offsets.add(done(f).offset());
        }
        assertThat(offsets).hasSize(100).allMatch(o -> o >= 1 && o <= 100);
        watcher.awaitOffsets("/race", 100);
        assertThat(watcher.offsets("/race")).isSorted().doesNotHaveDuplicates();
    }

    // ---- history ----------------------------------------------------------------------------

    @Test
    void historyIsBoundedByCount() {
        Node n = start(new HistoryLimits(3, Duration.ofSeconds(300), Duration.ofHours(1)));
        for (int i = 0; i < 5; i++) {
            n.publish("/a", i);
        }
        HistorySlice s = done(n.broker.history("/a", 0, Integer.MAX_VALUE));
        assertThat(offsets(s)).containsExactly(3L, 4L, 5L);
        assertThat(s.firstOffset()).isEqualTo(3);
        assertThat(s.latestOffset()).isEqualTo(5);
    }

    @Test
    void historyIsBoundedByAge() {
        Node n = start(new HistoryLimits(100, Duration.ofMillis(800), Duration.ofHours(1)));
        n.publish("/a", 1);
        Message second = n.publish("/a", 2);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                done(n.broker.history("/a", 0, 10)).messages().isEmpty());
        HistorySlice s = done(n.broker.history("/a", 0, 10));
        assertThat(s.firstOffset()).isEqualTo(3);
        assertThat(s.latestOffset()).isEqualTo(2);
        assertThat(s.epoch()).isEqualTo(second.epoch());
        assertThat(n.publish("/a", 3).offset()).isEqualTo(3);
    }

    @Test
    void zeroHistoryKeepsNothingButStillSequences() {
        Node n = start(new HistoryLimits(0, Duration.ofSeconds(10), Duration.ofHours(1)));
        n.publish("/a", 1);
        assertThat(n.publish("/a", 2).offset()).isEqualTo(2);
        HistorySlice s = done(n.broker.history("/a", 0, 10));
        assertThat(s.messages()).isEmpty();
        assertThat(s.firstOffset()).isEqualTo(3);
        assertThat(s.reaches(2, s.epoch())).isTrue();
        assertThat(s.reaches(1, s.epoch())).isFalse();
    }

    @Test
    void historyAfterReturnsTheNewestLimitMessagesAfterTheOffset() {
        Node n = start(ROOMY);
        for (int i = 0; i < 10; i++) {
            n.publish("/a", i);
        }
        assertThat(offsets(done(n.broker.history("/a", 3, 2)))).containsExactly(9L, 10L);
        assertThat(offsets(done(n.broker.history("/a", 3, 100)))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(offsets(done(n.broker.history("/a", 8, 5)))).containsExactly(9L, 10L);
        assertThat(offsets(done(n.broker.history("/a", 10, 5)))).isEmpty();
        assertThat(offsets(done(n.broker.history("/a", 99, 5)))).isEmpty();
        HistorySlice top = done(n.broker.history("/a", 0, 0));
        assertThat(top.messages()).isEmpty();
        assertThat(top.latestOffset()).isEqualTo(10);
        assertThat(top.firstOffset()).isEqualTo(1);
    }

    @Test
    void historyOfAnUnknownChannelIsEmptyAtZeroAndItsEpochHolds() {
        Node n = start(ROOMY);
        HistorySlice s = done(n.broker.history("/never", 0, 10));
        assertThat(s.channel()).isEqualTo("/never");
        assertThat(s.latestOffset()).isZero();
        assertThat(s.firstOffset()).isEqualTo(1);
        assertThat(s.messages()).isEmpty();
        assertThat(s.reaches(0, s.epoch())).isTrue();
        // A client that read the empty channel is not told of a gap by its first message.
        assertThat(n.publish("/never", 1).epoch()).isEqualTo(s.epoch());
    }

    @Test
    void historySinceReturnsMessagesAtOrAfterTheTime() {
        Node n = start(ROOMY);
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(n.publish("/a", i));
        }
        Message first = sent.get(0);
        Message last = sent.get(3);
        assertThat(offsets(done(n.broker.historySince("/a", first.time()))))
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(offsets(done(n.broker.historySince("/a", last.time()))))
                .endsWith(4L).allMatch(o -> sent.get((int) (o - 1)).time() >= last.time());
        assertThat(offsets(done(n.broker.historySince("/a", last.time() + 1)))).isEmpty();
    }

    @Test
    void epochsAreValidStablePerChannelAndDifferAcrossChannels() {
        Node n = start(ROOMY);
        Set<String> epochs = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Message m = n.publish("/c" + i, 1);
            assertThat(Epochs.isValid(m.epoch())).isTrue();
            epochs.add(m.epoch());
            assertThat(n.publish("/c" + i, 2).epoch()).isEqualTo(m.epoch());
        }
        assertThat(epochs).hasSize(10);
    }

    @Test
    void idleChannelIsForgottenAndComesBackWithANewEpoch() {
        Node n = start(new HistoryLimits(100, Duration.ofMillis(300), Duration.ofMillis(600)));
        Message first = n.publish("/idle", 1);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            n.broker.sweep();
            return !done(n.broker.history("/idle", 0, 0)).epoch().equals(first.epoch());
        });
        Message again = n.publish("/idle", 2);
        assertThat(again.offset()).isEqualTo(1);
        assertThat(again.epoch()).isNotEqualTo(first.epoch());
        assertThat(done(n.broker.history("/idle", 1, 10)).reaches(1, first.epoch())).isFalse();
    }

    @Test
    void channelsListsThoseUnderAPattern() {
        Node n = start(ROOMY);
        for (String c : List.of("/a/1", "/a/2", "/a/2/x", "/b/1", "/a")) {
            n.publish(c, 1);
        }
        assertThat(done(n.broker.channels(ChannelPattern.parse("/a/*")))).containsExactlyInAnyOrder("/a/1", "/a/2");
        assertThat(done(n.broker.channels(ChannelPattern.parse("/a/**")))).containsExactlyInAnyOrder("/a/1", "/a/2", "/a/2/x");
        assertThat(done(n.broker.channels(ChannelPattern.parse("/**")))).containsExactlyInAnyOrder(
                "/a/1", "/a/2", "/a/2/x", "/b/1", "/a");
        assertThat(done(n.broker.channels(ChannelPattern.parse("/c/**")))).isEmpty();
    }

    // ---- time ---------------------------------------------------------------------------------

    @Test
    void timesDoNotGoBackwardsWithinAChannelPublishedFromOneNode() {
        Node n = start(ROOMY);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 20; i++) {
            long t = n.publish("/t", i).time();
            assertThat(t).isGreaterThanOrEqualTo(previous);
            previous = t;
        }
    }

    /**
     * Two nodes, one with its clock 10 s behind. Engine time keeps a channel's times in offset
     * order whatever the nodes' clocks; node time (documented for NATS) follows the publishing
     * node's clock, so a skewed node stamps its message earlier than the one before it.
     */
    @Test
    void timesAcrossNodesWithSkewedClocks() {
        assumeTrue(clustered(), "one-process broker");
        Node a = start(ROOMY);
        Node late = start(ROOMY, () -> System.currentTimeMillis() - 10_000);
        Message first = a.publish("/skew", 1);
        Message second = late.publish("/skew", 2);
        assertThat(second.offset()).isEqualTo(first.offset() + 1);
        if (messageTime() == MessageTime.ENGINE) {
            assertThat(second.time()).isGreaterThanOrEqualTo(first.time());
        } else {
            assertThat(second.time()).isLessThan(first.time() - 5_000);
        }
    }

    // ---- live fan-out -------------------------------------------------------------------------

    @Test
    void liveMessagesReachSubscribedNodesInOrderEachOnce() {
        Node publisher = start(ROOMY);
        Node b = clustered() ? start(ROOMY) : publisher;
        Node c = clustered() ? start(ROOMY) : publisher;
        b.subscribe("/live");
        c.subscribe("/live");
        for (int i = 0; i < 100; i++) {
            publisher.publish("/live", i);
        }
        for (Node n : new HashSet<>(List.of(b, c))) {
            n.awaitOffsets("/live", 100);
            assertThat(n.offsets("/live")).containsExactlyElementsOf(range(1, 100));
        }
    }

    @Test
    void wildcardSubscriptionsReachChannelsUnderThem() {
        Node publisher = start(ROOMY);
        Node b = clustered() ? start(ROOMY) : publisher;
        b.subscribe("/w/*");
        b.subscribe("/deep/**");
        publisher.publish("/w/x", 1);
        publisher.publish("/w/y", 1);
        publisher.publish("/deep/a/b", 1);
        publisher.publish("/w/x", 2);
        b.awaitOffsets("/w/x", 2);
        b.awaitOffsets("/w/y", 1);
        b.awaitOffsets("/deep/a/b", 1);
        assertThat(b.offsets("/w/x")).containsExactly(1L, 2L);
    }

    @Test
    void aChannelMatchedTwiceIsHandedOverOnce() {
        Node publisher = start(ROOMY);
        Node b = clustered() ? start(ROOMY) : publisher;
        b.subscribe("/twice/x");
        b.subscribe("/twice/*");
        for (int i = 0; i < 10; i++) {
            publisher.publish("/twice/x", i);
        }
        publisher.publish("/twice/end", 0);
        b.awaitOffsets("/twice/end", 1);
        b.awaitOffsets("/twice/x", 10);
        assertThat(b.offsets("/twice/x")).containsExactlyElementsOf(range(1, 10));
    }

    /**
     * Subscribe, then read history at once, while another node publishes: every message is in
     * the history read or arrives live afterwards (what lets a feed resume without a hole).
     */
    @Test
    void historyReadAfterSubscribeMissesNothingThatFollows() {
        Node publisher = start(ROOMY);
        Node b = clustered() ? start(ROOMY) : publisher;
        int total = 200;
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < total; i++) {
                publisher.publish("/ready", i);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> done(b.broker.history("/ready", 0, 0)).latestOffset() >= 20);
        b.subscribe("/ready");
        HistorySlice read = done(b.broker.history("/ready", 0, Integer.MAX_VALUE));
        done(publishing);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Set<Long> seen = new HashSet<>(offsets(read));
            seen.addAll(b.offsets("/ready"));
            assertThat(seen).containsAll(range(read.firstOffset(), total));
        });
        assertThat(b.offsets("/ready")).isSorted().doesNotHaveDuplicates();
    }

    // ---- unreachable engine -------------------------------------------------------------------

    @Test
    void anUnreachableEngineFailsPublishAndHistoryWithinTwoSeconds() {
        Broker broker = unreachable(ROOMY);
        assumeTrue(broker != null, "no engine to lose");
        started.add(broker);
        broker.start(m -> { });
        for (CompletionStage<?> stage : List.of(broker.publish("/down", json(1)), broker.history("/down", 0, 10))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(HalleyException.of(e).error()).isEqualTo(ReplyError.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A started node and everything its listener got. */
    protected final class Node {
        public final Broker broker;
        public final List<Message> received = new CopyOnWriteArrayList<>();

        Node(Broker broker) {
            this.broker = broker;
            broker.start(received::add);
        }

        public Message publish(String channel, int n) {
            return done(broker.publish(channel, json(n)));
        }

        public void subscribe(String pattern) {
            ChannelPattern p = ChannelPattern.parse(pattern);
            broker.subscribe(p);
            // The contract promises readiness to history reads of a matching channel, which is how a feed waits for it.
            done(broker.history(p.isWildcard() ? p.base() + "probe" : pattern, 0, 0));
        }

        public List<Long> offsets(String channel) {
            return received.stream().filter(m -> m.channel().equals(channel)).map(Message::offset).toList();
        }

        public void awaitOffsets(String channel, int count) {
            await().atMost(Duration.ofSeconds(15)).until(() -> offsets(channel).size() >= count);
        }
    }

    protected Node start(HistoryLimits limits) {
        return start(limits, System::currentTimeMillis);
    }

    protected Node start(HistoryLimits limits, LongSupplier clock) {
        Broker b = node(namespace, limits, clock);
        started.add(b);
        return new Node(b);
    }

    protected static byte[] json(int n) {
        return ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    }

    protected static <T> T done(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    protected static List<Long> offsets(HistorySlice slice) {
        return slice.messages().stream().map(Message::offset).toList();
    }

    protected static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    protected static String describe(Message m) {
        return m.channel() + "@" + m.epoch() + ":" + m.offset() + ":" + m.time() + ":" + new String(m.data(), StandardCharsets.UTF_8);
    }

    protected static List<String> describe(List<Message> messages) {
        return messages.stream().map(BrokerContract::describe).toList();
    }
}
