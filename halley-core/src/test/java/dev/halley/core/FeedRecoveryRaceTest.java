package dev.halley.core;

import static dev.halley.core.CoreFixture.describe;
import static dev.halley.core.CoreFixture.done;
import static dev.halley.core.CoreFixture.drain;
import static dev.halley.core.CoreFixture.offsets;
import static dev.halley.core.CoreFixture.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halley.core.CoreFixture.Signals;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The recovery path {@code subscribe → register → recover → finishRecovery} with history reads
 * held back by a {@link GatedBroker}, so that publishes, takes, unsubscribes and closes land
 * deterministically while a subscription is still reading history.
 */
class FeedRecoveryRaceTest {
    private final CoreFixture f = new CoreFixture(HistoryLimits.DEFAULT, GatedBroker::new);
    private final GatedBroker gate = (GatedBroker) f.broker;

    private CompletableFuture<SubscribeResult> startSubscribe(Feed feed, String pattern, Resume resume) {
        return feed.subscribe(ChannelPattern.parse(pattern), resume).toCompletableFuture();
    }

    @Test
    void liveMessagesHeldDuringRecoveryFollowTheReplayWithoutDuplicates() {
        String epoch = f.publish("/a", 5).get(0).epoch();
        Feed feed = f.feed();
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/a", new Resume.Since(2, epoch));
        assertThat(feed.recovering()).isTrue();
        f.publish("/a", 2); // 6, 7: held, and also in the history read below
        assertThat(feed.hasPending()).isFalse();
        gate.pending().get(0).release();
        assertThat(done(pending).recovered()).isTrue();
        assertThat(feed.recovering()).isFalse();
        f.publish("/a");
        assertThat(offsets(drain(feed))).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
    }

    @Test
    void liveSubscriptionDropsHeldMessagesOlderThanTheTopItRead() {
        f.publish("/a", 2);
        Feed feed = f.feed();
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/a", Resume.LIVE);
        f.publish("/a"); // 3: before the top is read, so not part of "live from now"
        gate.pending().get(0).release();
        done(pending);
        f.publish("/a");
        assertThat(offsets(drain(feed))).containsExactly(4L);
    }

    /** A door may take a batch while another subscription still reads history: its cursor must keep that resume point. */
    @Test
    void cursorTakenDuringRecoveryKeepsTheResumePoint() {
        String epochB = f.publish("/b", 5).get(0).epoch();
        Feed feed = f.feed();
        subscribe(feed, "/a");
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/b", new Resume.Since(3, epochB));
        f.publish("/a");
        f.publish("/b"); // 6: held
        Feed.Batch batch = feed.take(100);
        assertThat(describe(batch.deliveries())).containsExactly("/a@1");
        assertThat(batch.cursor().positions().get("/b")).isEqualTo(new Position(epochB, 3));
        feed.close(); // the connection drops here

        gate.gate(false);
        Feed resumed = f.feed();
        subscribe(resumed, "/a", new Resume.From(batch.cursor()));
        assertThat(subscribe(resumed, "/b", new Resume.From(batch.cursor())).recovered()).isTrue();
        assertThat(describe(drain(resumed))).containsExactly("/b@4", "/b@5", "/b@6");
        assertThat(pending).isNotCompletedExceptionally();
    }

    @Test
    void cursorTakenDuringAWildcardRecoveryKeepsTheCursorItResumesFrom() {
        Feed first = f.feed();
        subscribe(first, "/w/**");
        f.publish("/w/1");
        Cursor old = first.take(10).cursor();
        first.close();
        f.clock.addAndGet(1_000);
        f.publish("/w/1");
        f.publish("/w/2");

        Feed feed = f.feed();
        gate.gate(true);
        startSubscribe(feed, "/w/**", new Resume.From(old));
        f.clock.addAndGet(1_000);
        Cursor during = feed.cursor();
        assertThat(during.time()).isEqualTo(old.time());
        assertThat(during.positions()).isEqualTo(old.positions());
    }

    @Test
    void cursorOfASinceWithoutEpochDuringRecoveryResumesWithAGap() {
        f.publish("/a", 3);
        Feed feed = f.feed();
        gate.gate(true);
        startSubscribe(feed, "/a", new Resume.Since(1, null));
        Cursor during = feed.cursor();
        assertThat(during.positions().get("/a").offset()).isEqualTo(1);
        gate.gate(false);
        Feed resumed = f.feed();
        SubscribeResult r = subscribe(resumed, "/a", new Resume.From(Cursor.decode(during.encode())));
        assertThat(r.gaps()).containsExactly("/a"); // conservative: the epoch was never known
        assertThat(describe(drain(resumed))).containsExactly("gap:/a", "/a@1", "/a@2", "/a@3");
    }

    /** Held live messages are queued in all but name: they count against the feed's bound. */
    @Test
    void messagesHeldDuringRecoveryAreBounded() {
        Signals signals = new Signals();
        Feed feed = f.hub.newFeed(new FeedLimits(10, 1 << 20, 10), signals);
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/a", new Resume.Since(0, null));
        f.publish("/a", 10);
        assertThat(signals.overflow).hasValue(0);
        f.publish("/a");
        assertThat(signals.overflow).hasValue(1);
        assertThat(feed.isClosed()).isTrue();
        assertThat(f.hub.subscribedPatterns()).isZero();
        // The client resumes where it asked to start: nothing was taken.
        assertThat(feed.cursor().positions().get("/a").offset()).isZero();
        gate.pending().get(0).release();
        assertThat(pending).succeedsWithin(java.time.Duration.ofSeconds(5));
        assertThat(signals.overflow).hasValue(1);
    }

    @Test
    void overflowWhileQueueingTheGapKeepsTheGapInTheCursor() {
        CoreFixture small = new CoreFixture(CoreFixture.history(3));
        String epoch = small.publish("/a", 6).get(0).epoch();
        Signals signals = new Signals();
        Feed feed = small.hub.newFeed(new FeedLimits(2, 1 << 20, 10), signals);
        subscribe(feed, "/b");
        small.publish("/b", 2); // the queue is full
        subscribe(feed, "/a", new Resume.Since(1, epoch));
        assertThat(signals.overflow).hasValue(1);

        Feed resumed = small.feed();
        assertThat(subscribe(resumed, "/a", new Resume.From(feed.cursor())).gaps()).containsExactly("/a");
    }

    /** A failed recovery removes its own subscription, not a newer one to the same pattern. */
    @Test
    void failedRecoveryRemovesOnlyItsOwnSubscription() {
        Feed feed = f.feed();
        gate.gate(true);
        CompletableFuture<SubscribeResult> first = startSubscribe(feed, "/a", new Resume.Since(0, null));
        feed.unsubscribe(ChannelPattern.parse("/a"));
        CompletableFuture<SubscribeResult> second = startSubscribe(feed, "/a", Resume.LIVE);
        gate.pending().get(1).release();
        assertThat(done(second).recovered()).isTrue();
        gate.pending().get(0).fail(new HalleyException(ReplyError.UNAVAILABLE, "broker down"));
        assertThat(first).isCompletedExceptionally();

        assertThat(feed.patterns()).containsExactly(ChannelPattern.parse("/a"));
        assertThat(f.hub.subscribedPatterns()).isEqualTo(1);
        f.publish("/a");
        assertThat(offsets(drain(feed))).containsExactly(1L);
    }

    @Test
    void failedRecoveryFailsTheSubscribeAndUnregisters() {
        Feed feed = f.feed();
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/a", new Resume.Since(0, null));
        f.publish("/a");
        gate.pending().get(0).fail(new HalleyException(ReplyError.UNAVAILABLE, "broker down"));
        assertThatThrownBy(() -> done(pending)).rootCause().isInstanceOfSatisfying(HalleyException.class,
                e -> assertThat(e.error()).isEqualTo(ReplyError.UNAVAILABLE));
        assertThat(feed.patterns()).isEmpty();
        assertThat(feed.recovering()).isFalse();
        assertThat(f.hub.subscribedPatterns()).isZero();
        assertThat(feed.hasPending()).isFalse();
    }

    @Test
    void brokerThrowingInsteadOfFailingItsStageFailsTheSubscribe() {
        Feed feed = f.feed();
        gate.throwOnRead(new HalleyException(ReplyError.UNAVAILABLE, "broker down"));
        assertThatThrownBy(() -> done(feed.subscribe(ChannelPattern.parse("/a"), Resume.LIVE)))
                .rootCause().isInstanceOf(HalleyException.class);
        assertThat(feed.recovering()).isFalse();
        assertThat(feed.patterns()).isEmpty();
        assertThat(f.hub.subscribedPatterns()).isZero();
    }

    @Test
    void unsubscribeDuringRecoveryQueuesNothing() {
        f.publish("/a", 3);
        Feed feed = f.feed();
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/a", new Resume.Since(0, null));
        f.publish("/a");
        feed.unsubscribe(ChannelPattern.parse("/a"));
        gate.pending().get(0).release();
        assertThat(pending).succeedsWithin(java.time.Duration.ofSeconds(5));
        assertThat(feed.hasPending()).isFalse();
        assertThat(feed.recovering()).isFalse();
        assertThat(f.hub.subscribedPatterns()).isZero();
    }

    @Test
    void closeDuringRecoveryUnregistersAndQueuesNothing() {
        f.publish("/a", 3);
        Feed feed = f.feed();
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/a", new Resume.Since(1, null));
        feed.close();
        assertThat(f.hub.subscribedPatterns()).isZero();
        gate.pending().get(0).release();
        assertThat(pending).succeedsWithin(java.time.Duration.ofSeconds(5));
        assertThat(feed.hasPending()).isFalse();
    }

    @Test
    void aLiveWildcardAndARecoveringExactChannelShareOneOrder() {
        String epoch = f.publish("/w/a", 3).get(0).epoch();
        Feed feed = f.feed();
        subscribe(feed, "/w/*");
        f.publish("/w/a"); // 4, live through the wildcard
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/w/a", new Resume.Since(1, epoch));
        f.publish("/w/a"); // 5: held by the recovering subscription
        f.publish("/w/b"); // only the wildcard: live
        gate.pending().get(0).release();
        assertThat(done(pending).recovered()).isTrue();
        assertThat(describe(drain(feed))).containsExactly("/w/a@4", "/w/b@1", "/w/a@5");
    }

    @Test
    void aMessageOfferedTwiceWhileRecoveringIsHeldOnce() {
        Signals signals = new Signals();
        Feed feed = f.hub.newFeed(new FeedLimits(4, 1 << 20, 10), signals);
        subscribe(feed, "/w/*");
        gate.gate(true);
        CompletableFuture<SubscribeResult> pending = startSubscribe(feed, "/w/a", new Resume.Since(0, null));
        f.publish("/w/a", 3); // each offered by the hub for /w/a and for /w/*
        assertThat(signals.overflow).hasValue(0);
        gate.pending().get(0).release();
        assertThat(done(pending).recovered()).isTrue();
        assertThat(describe(drain(feed))).containsExactly("/w/a@1", "/w/a@2", "/w/a@3");
    }
}
