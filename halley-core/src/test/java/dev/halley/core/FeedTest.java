package dev.halley.core;

import static dev.halley.core.CoreFixture.describe;
import static dev.halley.core.CoreFixture.done;
import static dev.halley.core.CoreFixture.drain;
import static dev.halley.core.CoreFixture.offsets;
import static dev.halley.core.CoreFixture.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halley.core.CoreFixture.Signals;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A feed's contract, single-threaded: live, resume, gaps, wildcards, bounds, cursors, listener calls. */
class FeedTest {
    private final CoreFixture f = new CoreFixture();

    // ---- live and since ------------------------------------------------------------------

    @Test
    void liveSubscriptionGetsOnlyWhatIsPublishedAfterItInOrder() {
        f.publish("/a", 2);
        Feed feed = f.feed();
        SubscribeResult r = subscribe(feed, "/a");
        assertThat(r.recovered()).isTrue();
        assertThat(r.gaps()).isEmpty();
        assertThat(drain(feed)).isEmpty();

        f.publish("/a", 3);
        f.publish("/b");
        assertThat(describe(drain(feed))).containsExactly("/a@3", "/a@4", "/a@5");
    }

    @Test
    void feedsFollowingOnePatternShareOneInstanceOfIt() {
        Feed first = f.feed();
        Feed second = f.feed();
        subscribe(first, "/shared/*");
        subscribe(second, new String("/shared/*")); // parsed from another request
        assertThat(second.patterns().get(0)).isSameAs(first.patterns().get(0));

        f.publish("/shared/x");
        assertThat(describe(drain(first))).containsExactly("/shared/x@1");
        assertThat(describe(drain(second))).containsExactly("/shared/x@1");
    }

    @Test
    void sinceReplaysWhatWasMissedThenGoesLive() {
        Message second = f.publish("/a", 5).get(1);
        Feed feed = f.feed();
        SubscribeResult r = subscribe(feed, "/a", new Resume.Since(2, second.epoch()));
        assertThat(r.recovered()).isTrue();
        f.publish("/a");
        assertThat(offsets(drain(feed))).containsExactly(3L, 4L, 5L, 6L);
    }

    @Test
    void sinceWithoutEpochIsJudgedByOffset() {
        f.publish("/a", 5);
        Feed feed = f.feed();
        assertThat(subscribe(feed, "/a", new Resume.Since(3, null)).recovered()).isTrue();
        assertThat(offsets(drain(feed))).containsExactly(4L, 5L);
    }

    @Test
    void sinceAtTheTopReplaysNothing() {
        Message last = f.publish("/a", 3).get(2);
        Feed feed = f.feed();
        assertThat(subscribe(feed, "/a", new Resume.Since(3, last.epoch())).recovered()).isTrue();
        assertThat(drain(feed)).isEmpty();
    }

    @Test
    void sinceZeroOnAnEmptyChannelIsRecovered() {
        Feed feed = f.feed();
        String epoch = done(f.hub.history("/new", 0, 0)).epoch();
        assertThat(subscribe(feed, "/new", new Resume.Since(0, epoch)).recovered()).isTrue();
        f.publish("/new");
        assertThat(offsets(drain(feed))).containsExactly(1L);
    }

    // ---- gaps ----------------------------------------------------------------------------

    @Test
    void gapThenWhatHistoryHoldsWhenSinceIsOlderThanHistory() {
        CoreFixture small = new CoreFixture(CoreFixture.history(3));
        String epoch = small.publish("/a", 6).get(0).epoch();
        Feed feed = small.feed();
        SubscribeResult r = subscribe(feed, "/a", new Resume.Since(1, epoch));
        assertThat(r.recovered()).isFalse();
        assertThat(r.gaps()).containsExactly("/a");
        small.publish("/a");
        assertThat(describe(drain(feed))).containsExactly("gap:/a", "/a@4", "/a@5", "/a@6", "/a@7");
    }

    @Test
    void gapThenAllHistoryWhenSinceIsAheadOfTheChannel() {
        String epoch = f.publish("/a", 2).get(0).epoch();
        Feed feed = f.feed();
        SubscribeResult r = subscribe(feed, "/a", new Resume.Since(9, epoch));
        assertThat(r.gaps()).containsExactly("/a");
        assertThat(describe(drain(feed))).containsExactly("gap:/a", "/a@1", "/a@2");
    }

    @Test
    void gapThenAllHistoryWhenTheEpochDiffers() {
        f.publish("/a", 3);
        Feed feed = f.feed();
        SubscribeResult r = subscribe(feed, "/a", new Resume.Since(2, "someOtherEpoch"));
        assertThat(r.recovered()).isFalse();
        assertThat(describe(drain(feed))).containsExactly("gap:/a", "/a@1", "/a@2", "/a@3");
        f.publish("/a");
        assertThat(describe(drain(feed))).containsExactly("/a@4");
    }

    /** A gap notice is given once: resuming from the cursor taken with it must not report it again. */
    @Test
    void resumingAfterAGapWhoseHistoryAgedOutIsRecovered() {
        CoreFixture aging = new CoreFixture(new HistoryLimits(100, Duration.ofSeconds(10), Duration.ofHours(1)));
        String epoch = aging.publish("/a", 5).get(0).epoch();
        aging.clock.addAndGet(11_000);

        Feed first = aging.feed();
        assertThat(subscribe(first, "/a", new Resume.Since(2, epoch)).gaps()).containsExactly("/a");
        Feed.Batch batch = first.take(100);
        assertThat(describe(batch.deliveries())).containsExactly("gap:/a");
        assertThat(batch.cursor().positions().get("/a")).isEqualTo(new Position(epoch, 5));
        first.close();

        Feed second = aging.feed();
        assertThat(subscribe(second, "/a", new Resume.From(batch.cursor())).recovered()).isTrue();
        assertThat(drain(second)).isEmpty();
    }

    // ---- wildcards -----------------------------------------------------------------------

    @Test
    void oneSegmentWildcardGetsDirectChildrenOnly() {
        Feed feed = f.feed();
        subscribe(feed, "/a/*");
        for (String c : List.of("/a/b", "/a/b/c", "/a", "/ab", "/x/b", "/a/c")) {
            f.publish(c);
        }
        assertThat(describe(drain(feed))).containsExactly("/a/b@1", "/a/c@1");
    }

    @Test
    void anyDepthWildcardGetsEveryDescendant() {
        Feed feed = f.feed();
        subscribe(feed, "/a/**");
        for (String c : List.of("/a/b", "/a/b/c", "/a", "/ab", "/a/b/c/d/e")) {
            f.publish(c);
        }
        assertThat(describe(drain(feed))).containsExactly("/a/b@1", "/a/b/c@1", "/a/b/c/d/e@1");
    }

    @Test
    void rootWildcardGetsEverythingUnderSlash() {
        Feed feed = f.feed();
        subscribe(feed, "/**");
        for (String c : List.of("/a", "/a/b/c", "news")) {
            f.publish(c);
        }
        assertThat(describe(drain(feed))).containsExactly("/a@1", "/a/b/c@1");
    }

    @Test
    void hubDeliveryAgreesWithPatternMatching() {
        List<String> patterns = List.of("/**", "/*", "/a/*", "/a/**", "/a/b/*", "/a/b/**", "a/*", "//*", "/a/b");
        List<String> channels = List.of("/a", "/a/b", "/a/b/c", "/a/b/", "/a/b/c/d", "a/b", "//x", "/b", "/a//b");
        List<Feed> feeds = patterns.stream().map(p -> {
            Feed feed = f.feed();
            subscribe(feed, p);
            return feed;
        }).toList();
        channels.forEach(f::publish);
        for (int i = 0; i < patterns.size(); i++) {
            ChannelPattern p = ChannelPattern.parse(patterns.get(i));
            List<String> expected = channels.stream().filter(p::matches).map(c -> c + "@1").toList();
            assertThat(describe(drain(feeds.get(i)))).as(p.text()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aMessageMatchedByManyPatternsOfOneFeedIsDeliveredOnce() {
        Feed feed = f.feed();
        for (String p : List.of("/a/*", "/a/**", "/**", "/a/b")) {
            subscribe(feed, p);
        }
        f.publish("/a/b");
        f.publish("/a/b");
        assertThat(describe(drain(feed))).containsExactly("/a/b@1", "/a/b@2");
    }

    @Test
    void sinceOnAWildcardIsABadCursor() {
        Feed feed = f.feed();
        assertThatThrownBy(() -> done(feed.subscribe(ChannelPattern.parse("/a/*"), new Resume.Since(1, null))))
                .hasRootCauseInstanceOf(HalleyException.class)
                .rootCause().satisfies(e -> assertThat(((HalleyException) e).error()).isEqualTo(ReplyError.BAD_CURSOR));
        assertThat(feed.patterns()).isEmpty();
        assertThat(f.hub.subscribedPatterns()).isZero();
    }

    @Test
    void wildcardResumeReplaysKnownChannelsExactlyAndNewOnesFromTheCursorTime() {
        f.publish("/room/old"); // before the first subscription: never replayed
        f.clock.addAndGet(1_000);
        Feed first = f.feed();
        subscribe(first, "/room/**");
        f.clock.addAndGet(1_000);
        f.publish("/room/1", 2);
        f.publish("/room/2");
        Feed.Batch batch = first.take(100);
        assertThat(describe(batch.deliveries())).containsExactly("/room/1@1", "/room/1@2", "/room/2@1");
        first.close();

        f.clock.addAndGet(1_000);
        f.publish("/room/1");
        f.publish("/room/3", 2);
        Feed second = f.feed();
        SubscribeResult r = subscribe(second, "/room/**", new Resume.From(batch.cursor()));
        assertThat(r.recovered()).isTrue();
        assertThat(describe(drain(second))).containsExactlyInAnyOrder("/room/1@3", "/room/3@1", "/room/3@2");
        f.publish("/room/2");
        assertThat(describe(drain(second))).containsExactly("/room/2@2");

        // And again from the cursor now: nothing is replayed, in particular not /room/old.
        Cursor now = second.cursor();
        second.close();
        Feed third = f.feed();
        assertThat(subscribe(third, "/room/**", new Resume.From(now)).recovered()).isTrue();
        assertThat(drain(third)).isEmpty();
    }

    @Test
    void wildcardResumeReportsGapsConservatively() {
        CoreFixture small = new CoreFixture(CoreFixture.history(2));
        Feed first = small.feed();
        subscribe(first, "/g/**");
        small.clock.addAndGet(1_000);
        small.publish("/g/known");
        Cursor cursor = first.take(10).cursor();
        first.close();

        small.clock.addAndGet(1_000);
        small.publish("/g/known", 3);   // 2..4; history keeps 3, 4: trimmed past the client's 1
        small.publish("/g/whole", 2);   // first met, all of it still held
        small.publish("/g/trimmed", 3); // first met, 1 trimmed although published after the cursor time

        Feed second = small.feed();
        SubscribeResult r = subscribe(second, "/g/**", new Resume.From(cursor));
        assertThat(r.recovered()).isFalse();
        assertThat(r.gaps()).containsExactlyInAnyOrder("/g/known", "/g/trimmed");
        List<String> got = describe(drain(second));
        assertThat(got).containsExactlyInAnyOrder(
                "gap:/g/known", "/g/known@3", "/g/known@4", "/g/whole@1", "/g/whole@2", "gap:/g/trimmed", "/g/trimmed@2", "/g/trimmed@3");
        assertThat(got.indexOf("gap:/g/known")).isLessThan(got.indexOf("/g/known@3"));
        assertThat(got.indexOf("gap:/g/trimmed")).isLessThan(got.indexOf("/g/trimmed@2"));
    }

    @Test
    void exactChannelResumesFromACursor() {
        Feed first = f.feed();
        subscribe(first, "/a");
        subscribe(first, "/b");
        f.publish("/a", 2);
        f.publish("/b");
        Cursor cursor = first.take(10).cursor();
        first.close();
        f.publish("/a");
        f.publish("/b");

        Feed second = f.feed();
        assertThat(subscribe(second, "/a", new Resume.From(cursor)).recovered()).isTrue();
        assertThat(subscribe(second, "/b", new Resume.From(cursor)).recovered()).isTrue();
        assertThat(describe(drain(second))).containsExactly("/a@3", "/b@2");
    }

    // ---- subscriptions -------------------------------------------------------------------

    @Test
    void unsubscribeStopsDeliveryAndForgetsPositions() {
        Feed feed = f.feed();
        subscribe(feed, "/a");
        subscribe(feed, "/b");
        subscribe(feed, "/c/*");
        f.publish("/a");
        f.publish("/b");
        f.publish("/c/1");
        drain(feed);
        feed.unsubscribe(ChannelPattern.parse("/a"));
        feed.unsubscribe(ChannelPattern.parse("/c/*"));
        feed.unsubscribe(ChannelPattern.parse("/never"));
        f.publish("/a");
        f.publish("/c/1");
        f.publish("/b");
        assertThat(describe(drain(feed))).containsExactly("/b@2");
        assertThat(feed.patterns()).containsExactly(ChannelPattern.parse("/b"));
        assertThat(feed.cursor().positions()).containsOnlyKeys("/b");
        assertThat(f.hub.subscribedPatterns()).isEqualTo(1);
    }

    @Test
    void unsubscribeKeepsPositionsStillCoveredByAnotherPattern() {
        Feed feed = f.feed();
        subscribe(feed, "/a/b");
        subscribe(feed, "/a/*");
        f.publish("/a/b");
        drain(feed);
        feed.unsubscribe(ChannelPattern.parse("/a/b"));
        assertThat(feed.cursor().positions()).containsOnlyKeys("/a/b");
        f.publish("/a/b");
        assertThat(describe(drain(feed))).containsExactly("/a/b@2");
    }

    /** The hub may be handing a feed a message while the feed unsubscribes: it must not be queued. */
    @Test
    void aMessageInFlightWhenUnsubscribingIsNotQueued() {
        Feed feed = f.feed();
        subscribe(feed, "/a");
        subscribe(feed, "/b");
        Message m = f.publish("/a");
        drain(feed);
        feed.unsubscribe(ChannelPattern.parse("/a"));
        Message late = new Message("/a", m.epoch(), 2, f.clock.get(), "1".getBytes());
        feed.offer(late); // what the hub does with a set of feeds it read just before the unregistration
        assertThat(feed.hasPending()).isFalse();
        assertThat(feed.cursor().positions()).doesNotContainKey("/a");
    }

    @Test
    void subscriptionLimitIsTooMany() {
        Feed feed = f.hub.newFeed(new FeedLimits(100, 1 << 20, 2), new Signals());
        subscribe(feed, "/a");
        subscribe(feed, "/b/*");
        assertThat(subscribe(feed, "/a").recovered()).isTrue(); // already followed: no new subscription
        assertThatThrownBy(() -> done(feed.subscribe(ChannelPattern.parse("/c"), Resume.LIVE)))
                .rootCause().isInstanceOfSatisfying(HalleyException.class, e -> {
                    assertThat(e.error()).isEqualTo(ReplyError.TOO_MANY);
                    assertThat(e.getMessage()).isEqualTo("At most 2 subscriptions per connection.");
                });
        feed.unsubscribe(ChannelPattern.parse("/a"));
        subscribe(feed, "/c");
        assertThat(feed.patterns()).containsExactly(ChannelPattern.parse("/b/*"), ChannelPattern.parse("/c"));
    }

    @Test
    void subscribingAClosedFeedFailsUnavailable() {
        Feed feed = f.feed();
        feed.close();
        assertThatThrownBy(() -> done(feed.subscribe(ChannelPattern.parse("/a"), Resume.LIVE)))
                .rootCause().isInstanceOfSatisfying(HalleyException.class,
                        e -> assertThat(e.error()).isEqualTo(ReplyError.UNAVAILABLE));
        assertThat(f.hub.subscribedPatterns()).isZero();
    }

    @Test
    void closeUnregistersEverythingFromTheHub() {
        Feed one = f.feed();
        Feed two = f.feed();
        for (String p : List.of("/a", "/b/*", "/c/**")) {
            subscribe(one, p);
        }
        subscribe(two, "/a");
        assertThat(f.hub.subscribedPatterns()).isEqualTo(3);
        one.close();
        one.close();
        assertThat(one.isClosed()).isTrue();
        assertThat(f.hub.subscribedPatterns()).isEqualTo(1);
        f.publish("/a");
        assertThat(drain(one)).isEmpty();
        assertThat(offsets(drain(two))).containsExactly(1L);
        two.close();
        assertThat(f.hub.subscribedPatterns()).isZero();
    }

    // ---- bounds --------------------------------------------------------------------------

    @Test
    void overflowByMessageCountClosesOnlyThatFeedOnce() {
        Signals slowSignals = new Signals();
        Feed slow = f.hub.newFeed(new FeedLimits(3, 1 << 20, 10), slowSignals);
        Feed other = f.feed();
        subscribe(slow, "/a");
        subscribe(other, "/a");
        f.publish("/a", 3);
        assertThat(slowSignals.overflow).hasValue(0);
        f.publish("/a");
        assertThat(slowSignals.overflow).hasValue(1);
        assertThat(slow.isClosed()).isTrue();
        f.publish("/a", 3);
        assertThat(slowSignals.overflow).hasValue(1);
        assertThat(offsets(drain(other))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(drain(slow)).isEmpty();
        assertThat(f.hub.subscribedPatterns()).isEqualTo(1);
    }

    @Test
    void overflowByBytes() {
        String data = "\"" + "x".repeat(1000) + "\"";
        Message probe = new Message("/a", "e", 1, 0, data.getBytes());
        Signals signals = new Signals();
        Feed feed = f.hub.newFeed(new FeedLimits(1000, 3L * probe.weight(), 10), signals);
        subscribe(feed, "/a");
        for (int i = 0; i < 3; i++) {
            f.publish("/a", data);
        }
        assertThat(signals.overflow).hasValue(0);
        f.publish("/a", "1");
        assertThat(signals.overflow).hasValue(1);
        assertThat(feed.isClosed()).isTrue();
    }

    @Test
    void bytesAreGivenBackWhenTaken() {
        String data = "\"" + "x".repeat(1000) + "\"";
        Message probe = new Message("/a", "e", 1, 0, data.getBytes());
        Signals signals = new Signals();
        Feed feed = f.hub.newFeed(new FeedLimits(1000, 2L * probe.weight(), 10), signals);
        subscribe(feed, "/a");
        for (int i = 0; i < 10; i++) {
            f.publish("/a", data);
            f.publish("/a", data);
            assertThat(feed.take(1).deliveries()).hasSize(1);
            assertThat(feed.take(1).deliveries()).hasSize(1);
        }
        assertThat(signals.overflow).hasValue(0);
    }

    /** A client dropped as slow resumes from the feed's cursor: nothing it did not take may be skipped. */
    @Test
    void cursorAfterOverflowResumesAfterWhatWasTaken() {
        Signals signals = new Signals();
        Feed feed = f.hub.newFeed(new FeedLimits(3, 1 << 20, 10), signals);
        subscribe(feed, "/a");
        subscribe(feed, "/b");
        f.publish("/a", 2);
        assertThat(offsets(feed.take(10).deliveries())).containsExactly(1L, 2L);
        f.publish("/a", 3);  // 3, 4, 5 queued: full
        f.publish("/b");     // /b@1 does not fit: overflow
        assertThat(signals.overflow).hasValue(1);
        Cursor cursor = feed.cursor();
        assertThat(feed.take(10).cursor()).isEqualTo(cursor);

        Feed again = f.feed();
        assertThat(subscribe(again, "/a", new Resume.From(cursor)).recovered()).isTrue();
        assertThat(subscribe(again, "/b", new Resume.From(cursor)).recovered()).isTrue();
        assertThat(describe(drain(again))).containsExactly("/a@3", "/a@4", "/a@5", "/b@1");
    }

    // ---- take, cursor, onReady -----------------------------------------------------------

    @Test
    void partialTakeCursorDoesNotSkipWhatIsStillQueued() {
        Feed feed = f.feed();
        subscribe(feed, "/a");
        subscribe(feed, "/b");
        String epoch = f.publish("/a").epoch();
        f.publish("/b");
        f.publish("/a", 2);
        Feed.Batch first = feed.take(2);
        assertThat(describe(first.deliveries())).containsExactly("/a@1", "/b@1");
        assertThat(first.cursor().positions().get("/a")).isEqualTo(new Position(epoch, 1));

        Feed resumed = f.feed();
        subscribe(resumed, "/a", new Resume.From(first.cursor()));
        subscribe(resumed, "/b", new Resume.From(first.cursor()));
        assertThat(describe(drain(resumed))).containsExactly("/a@2", "/a@3");

        Feed.Batch rest = feed.take(10);
        assertThat(describe(rest.deliveries())).containsExactly("/a@2", "/a@3");
        assertThat(rest.cursor().positions().get("/a")).isEqualTo(new Position(epoch, 3));
        assertThat(feed.take(0).deliveries()).isEmpty();
    }

    /** A gap notice still queued must survive in the cursor: resuming from it reports the gap again. */
    @Test
    void cursorWithAGapStillQueuedReportsTheGapOnResume() {
        CoreFixture small = new CoreFixture(CoreFixture.history(3));
        String epoch = small.publish("/a", 6).get(0).epoch();
        Feed feed = small.feed();
        subscribe(feed, "/a", new Resume.Since(1, epoch));
        Cursor untaken = feed.cursor();

        Feed resumed = small.feed();
        SubscribeResult r = subscribe(resumed, "/a", new Resume.From(untaken));
        assertThat(r.gaps()).containsExactly("/a");
        assertThat(describe(drain(resumed))).containsExactly("gap:/a", "/a@4", "/a@5", "/a@6");

        Feed.Batch gapOnly = feed.take(1);
        assertThat(describe(gapOnly.deliveries())).containsExactly("gap:/a");
        assertThat(gapOnly.cursor().positions().get("/a")).isEqualTo(new Position(epoch, 3));
    }

    @Test
    void onReadyOncePerEmptyToNonEmpty() {
        Signals signals = new Signals();
        Feed feed = f.feed(signals);
        subscribe(feed, "/a");
        f.publish("/a", 3);
        assertThat(signals.ready).hasValue(1);
        assertThat(feed.take(1).deliveries()).hasSize(1);
        f.publish("/a");
        assertThat(signals.ready).hasValue(1);
        assertThat(feed.hasPending()).isTrue();
        assertThat(feed.take(10).deliveries()).hasSize(3);
        assertThat(feed.hasPending()).isFalse();
        f.publish("/a");
        assertThat(signals.ready).hasValue(2);
        f.publish("/a");
        assertThat(signals.ready).hasValue(2);
        drain(feed);
        assertThat(feed.take(10).deliveries()).isEmpty();
        f.publish("/a");
        assertThat(signals.ready).hasValue(3);
    }

    @Test
    void recoveryQueueSignalsReadyOnce() {
        f.publish("/a", 3);
        Signals signals = new Signals();
        Feed feed = f.feed(signals);
        subscribe(feed, "/a", new Resume.Since(0, null));
        assertThat(signals.ready).hasValue(1);
        assertThat(drain(feed)).hasSize(3);
    }

    @Test
    void cursorTimeIsTheEarliestWildcardRegistration() {
        Feed feed = f.feed();
        subscribe(feed, "/a");
        long t1 = f.clock.get();
        f.clock.addAndGet(10);
        subscribe(feed, "/w/*");
        f.clock.addAndGet(10);
        subscribe(feed, "/v/**");
        f.clock.addAndGet(10);
        assertThat(feed.cursor().time()).isEqualTo(t1 + 10);
        feed.unsubscribe(ChannelPattern.parse("/w/*"));
        assertThat(feed.cursor().time()).isEqualTo(t1 + 20);
        feed.unsubscribe(ChannelPattern.parse("/v/**"));
        assertThat(feed.cursor().time()).isEqualTo(f.clock.get());
    }

    @Test
    void aFailingListenerDoesNotStopDeliveryToOthers() {
        Feed broken = f.feed(new Feed.Listener() {
            @Override
            public void onReady() {
                throw new IllegalStateException("door bug");
            }

            @Override
            public void onOverflow() {
            }
        });
        Feed fine = f.feed();
        subscribe(broken, "/a");
        subscribe(fine, "/a");
        Message m = f.publish("/a");
        assertThat(m.offset()).isEqualTo(1);
        assertThat(offsets(drain(fine))).containsExactly(1L);
        assertThat(offsets(drain(broken))).containsExactly(1L);
    }

    @Test
    void toStringDiagnoses() {
        Feed feed = f.feed();
        subscribe(feed, "/a");
        f.publish("/a");
        assertThat(feed.toString()).contains("/a").contains("queued=1");
        assertThat(f.hub.toString()).contains("exact=1");
    }

    @Test
    void aDrainedRegistrationIsKeptUntilSweptAndTheBrokerHearsAtOnce() {
        java.util.List<String> interest = new java.util.ArrayList<>();
        CoreFixture f = new CoreFixture(HistoryLimits.DEFAULT, memory -> new ForwardingBroker(memory) {
            @Override
            public void subscribe(ChannelPattern pattern) {
                interest.add("+" + pattern);
            }

            @Override
            public void unsubscribe(ChannelPattern pattern) {
                interest.add("-" + pattern);
            }
        });
        Feed a = f.feed();
        subscribe(a, "/keep");
        a.close();
        assertThat(f.hub.subscribedPatterns()).isZero();
        Feed b = f.feed();
        subscribe(b, "/keep");
        assertThat(interest).containsExactly("+/keep", "-/keep", "+/keep");
        f.publish("/keep");
        assertThat(describe(drain(b))).containsExactly("/keep@1");
        b.close();
        f.hub.sweep();
        assertThat(f.hub.subscribedPatterns()).isZero();
        Feed c = f.feed();
        subscribe(c, "/keep");
        assertThat(interest).containsExactly("+/keep", "-/keep", "+/keep", "-/keep", "+/keep");
        f.publish("/keep");
        assertThat(describe(drain(c))).containsExactly("/keep@2");
    }
}
