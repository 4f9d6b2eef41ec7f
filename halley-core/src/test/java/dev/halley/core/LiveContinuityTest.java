package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live delivery over a lossy engine: what reaches the listener is each channel's messages in
 * order, once, with runs lost live repaired from history. The "engine" here is a list per channel
 * (its history) and the test hands the continuity whatever live messages it likes.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LiveContinuityTest {
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final List<Message> got = new CopyOnWriteArrayList<>();
    private final List<Message> history = new CopyOnWriteArrayList<>();
    private volatile String epoch = "E1";
    private volatile int firstHeld = 1;
    private final AtomicLong reads = new AtomicLong();
    private final LiveContinuity live = new LiveContinuity("test", got::add, this::read, clock::get, 100);

    @AfterEach
    void close() {
        live.close();
    }

    private CompletionStage<HistorySlice> read(String channel, long after) {
        reads.incrementAndGet();
        List<Message> out = new ArrayList<>();
        long latest = 0;
        for (Message m : history) {
            if (m.channel().equals(channel) && m.epoch().equals(epoch)) {
                latest = m.offset();
                if (m.offset() > after && m.offset() >= firstHeld) {
                    out.add(m);
                }
            }
        }
        return CompletableFuture.completedFuture(new HistorySlice(channel, epoch, latest, Math.max(firstHeld, 1), out));
    }

    /** Publishes to the "engine": the next offset of the current epoch, kept in history. */
    private Message publish(String channel) {
        long next = history.stream().filter(m -> m.channel().equals(channel) && m.epoch().equals(epoch)).count() + 1;
        Message m = new Message(channel, epoch, next, clock.incrementAndGet(), "1".getBytes());
        history.add(m);
        return m;
    }

    private List<String> delivered() {
        return got.stream().map(m -> m.channel() + "@" + m.epoch() + ":" + m.offset()).toList();
    }

    private void awaitDelivered(int n) {
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() >= n);
    }

    /** Waits until the loop has run everything handed to it so far. */
    private void settle() throws Exception {
        live.barrier().get(5, TimeUnit.SECONDS);
    }

    private void followExact(String channel) {
        live.prepareChannel(channel);
        HistorySlice top = read(channel, Long.MAX_VALUE).toCompletableFuture().join();
        live.followChannel(channel, top.top());
    }

    @Test
    void inOrderMessagesPassAndRepeatsAreDropped() {
        followExact("/a");
        Message one = publish("/a");
        Message two = publish("/a");
        live.offer(one);
        live.offer(one);
        live.offer(two);
        live.offer(one);
        awaitDelivered(2);
        assertThat(delivered()).containsExactly("/a@E1:1", "/a@E1:2");
    }

    @Test
    void aRunLostLiveIsRepairedFromHistoryBeforeTheNextMessage() {
        followExact("/a");
        live.offer(publish("/a"));
        publish("/a");
        publish("/a");
        live.offer(publish("/a"));
        live.offer(publish("/a"));
        awaitDelivered(5);
        assertThat(delivered()).containsExactly("/a@E1:1", "/a@E1:2", "/a@E1:3", "/a@E1:4", "/a@E1:5");
    }

    @Test
    void messagesBeforeTheBaselineAreHeldThenOnlyThoseAfterTheTopPass() {
        Message old = publish("/a");
        live.prepareChannel("/a");
        live.offer(old);
        Message next = publish("/a");
        live.offer(next);
        live.followChannel("/a", new Position("E1", 1));
        awaitDelivered(1);
        assertThat(delivered()).containsExactly("/a@E1:2");
    }

    @Test
    void aNewEpochIsFollowedFromItsStart() {
        followExact("/a");
        live.offer(publish("/a"));
        epoch = "E2";
        publish("/a");
        publish("/a");
        live.offer(publish("/a"));
        awaitDelivered(4);
        assertThat(delivered()).containsExactly("/a@E1:1", "/a@E2:1", "/a@E2:2", "/a@E2:3");
    }

    @Test
    void historyThatNoLongerReachesBackIsSkipped() {
        followExact("/a");
        live.offer(publish("/a"));
        publish("/a");
        publish("/a");
        Message four = publish("/a");
        firstHeld = 3;
        live.offer(four);
        awaitDelivered(3);
        assertThat(delivered()).containsExactly("/a@E1:1", "/a@E1:3", "/a@E1:4");
    }

    @Test
    void anInterruptionChecksEveryFollowedChannelAgainstHistory() {
        followExact("/a");
        live.offer(publish("/a"));
        publish("/a");
        live.interrupted(clock.get());
        awaitDelivered(2);
        assertThat(delivered()).containsExactly("/a@E1:1", "/a@E1:2");
    }

    @Test
    void aChannelFirstMetUnderAWildcardStartsWhereItIsMet() throws Exception {
        publish("/w/x");
        live.followPattern(ChannelPattern.parse("/w/*"));
        live.offer(publish("/w/x"));
        live.offer(publish("/other"));
        awaitDelivered(1);
        settle();
        assertThat(delivered()).containsExactly("/w/x@E1:2");
    }

    @Test
    void aChannelFirstMetAfterAnInterruptionReplaysWhatItPublishedSince() {
        publish("/w/x");
        live.followPattern(ChannelPattern.parse("/w/*"));
        clock.addAndGet(10_000);
        live.interrupted(clock.get());
        publish("/w/x");
        live.offer(publish("/w/x"));
        awaitDelivered(2);
        assertThat(delivered()).containsExactly("/w/x@E1:2", "/w/x@E1:3");
    }

    @Test
    void unfollowedChannelsAreNotDelivered() throws Exception {
        followExact("/a");
        live.unfollow(ChannelPattern.parse("/a"));
        live.offer(publish("/a"));
        settle();
        assertThat(got).isEmpty();
    }

    @Test
    void overflowDropsLiveMessagesAndRepairsThemFromHistory() {
        CountDownLatch gate = new CountDownLatch(1);
        List<Message> slow = new CopyOnWriteArrayList<>();
        try (LiveContinuity blocked = new LiveContinuity("slow", m -> {
            try {
                gate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slow.add(m);
        }, this::read, clock::get, 10)) {
            blocked.prepareChannel("/a");
            blocked.followChannel("/a", new Position("E1", 0));
            for (int i = 0; i < 50; i++) {
                blocked.offer(publish("/a"));
            }
            gate.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.size() == 50);
            assertThat(slow.stream().map(Message::offset).toList()).isSorted().doesNotHaveDuplicates();
            assertThat(blocked.toString()).contains("dropped=");
        }
    }
}
