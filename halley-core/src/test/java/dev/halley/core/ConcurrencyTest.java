package dev.halley.core;

import static dev.halley.core.CoreFixture.done;
import static dev.halley.core.CoreFixture.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.CoreFixture.Signals;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Publishers, subscribers and doors on many threads at once: order, completeness, isolation. */
@Timeout(60)
class ConcurrencyTest {
    private static final byte[] DATA = "{\"k\":1}".getBytes(StandardCharsets.UTF_8);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A door's drain loop: takes whenever the feed says it is ready, on its own thread, until {@code expected} messages. */
    private static final class Drainer implements Feed.Listener {
        final Semaphore wake = new Semaphore(0);
        final List<Message> got = new ArrayList<>();
        volatile boolean overflowed;
        Feed feed;

        @Override
        public void onReady() {
            wake.release();
        }

        @Override
        public void onOverflow() {
            overflowed = true;
            wake.release();
        }

        List<Message> drain(int expected, Duration deadline) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            while (got.size() < expected && !overflowed) {
                long left = end - System.nanoTime();
                if (left <= 0 || !wake.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("drained " + got.size() + " of " + expected + " before the deadline");
                }
                Feed.Batch batch;
                while (!(batch = feed.take(256)).isEmpty()) {
                    batch.deliveries().forEach(d -> got.add((Message) d));
                }
            }
            return got;
        }
    }

    @Test
    void fourPublishersOnOneChannelGetGapFreeOffsetsAndOneOrderForTheFeed() throws Exception {
        CoreFixture f = new CoreFixture();
        Drainer drainer = new Drainer();
        Feed feed = f.hub.newFeed(new FeedLimits(50_000, 1L << 30, 10), drainer);
        drainer.feed = feed;
        subscribe(feed, "/hot");

        int threads = 4;
        int each = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            publishers.add(pool.submit(() -> {
                start.await();
                List<Long> offsets = new ArrayList<>(each);
                for (int i = 0; i < each; i++) {
                    offsets.add(done(f.hub.publish("/hot", DATA)).offset());
                }
                return offsets;
            }));
        }
        Future<List<Message>> consumer = pool.submit(() -> drainer.drain(threads * each, Duration.ofSeconds(30)));
        start.countDown();

        boolean[] seen = new boolean[threads * each + 1];
        for (Future<List<Long>> p : publishers) {
            List<Long> offsets = p.get(30, TimeUnit.SECONDS);
            for (int i = 1; i < offsets.size(); i++) {
                assertThat(offsets.get(i)).isGreaterThan(offsets.get(i - 1)); // each publisher sees its own order
            }
            for (long o : offsets) {
                assertThat(seen[(int) o]).as("offset %d twice", o).isFalse();
                seen[(int) o] = true;
            }
        }
        for (int o = 1; o < seen.length; o++) {
            assertThat(seen[o]).as("offset %d", o).isTrue();
        }

        List<Message> got = consumer.get(30, TimeUnit.SECONDS);
        assertThat(drainer.overflowed).isFalse();
        assertThat(got).hasSize(threads * each);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).offset()).isEqualTo(i + 1L);
        }
    }

    /** Spins (no sleep) until {@code condition}, failing after 10 s. */
    private static void spinUntil(java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(end);
            Thread.onSpinWait();
        }
    }

    /** Resume with since while another thread publishes: the replay and the live stream meet with nothing lost or doubled. */
    @Test
    void sinceRacingAPublisherIsContiguous() throws Exception {
        for (int round = 0; round < 20; round++) {
            CoreFixture f = new CoreFixture(CoreFixture.history(100_000));
            String channel = "/race/" + round;
            AtomicLong published = new AtomicLong();
            AtomicLong limit = new AtomicLong(90_000);
            Future<?> publisher = pool.submit(() -> {
                while (published.get() < limit.get()) {
                    published.set(done(f.hub.publish(channel, DATA)).offset());
                }
            });
            spinUntil(() -> published.get() >= 200);
            String epoch = done(f.hub.history(channel, 0, 0)).epoch();

            Feed feed = f.hub.newFeed(new FeedLimits(100_000, 1L << 30, 10), new Signals());
            long since = 100;
            SubscribeResult r = subscribe(feed, channel, new Resume.Since(since, epoch));
            limit.set(published.get() + 200); // a little more after the subscription, then stop
            publisher.get(10, TimeUnit.SECONDS);

            assertThat(r.recovered()).isTrue();
            List<Long> offsets = CoreFixture.offsets(CoreFixture.drain(feed));
            assertThat(offsets).hasSize((int) (published.get() - since));
            for (int i = 0; i < offsets.size(); i++) {
                assertThat(offsets.get(i)).as("round %d index %d", round, i).isEqualTo(since + 1 + i);
            }
        }
    }

    /** Wildcard resume from a cursor while a publisher writes to known and new channels: each channel contiguous. */
    @Test
    void wildcardResumeRacingAPublisherIsContiguousPerChannel() throws Exception {
        for (int round = 0; round < 20; round++) {
            CoreFixture f = new CoreFixture(CoreFixture.history(100_000));
            Feed first = f.feed();
            subscribe(first, "/w/**");
            for (int c = 0; c < 4; c++) {
                f.publish("/w/" + c, 3);
            }
            Cursor cursor = first.take(100).cursor();
            first.close();

            AtomicLong published = new AtomicLong();
            AtomicLong limit = new AtomicLong(90_000);
            Future<?> publisher = pool.submit(() -> {
                for (long i = 0; i < limit.get(); i++) {
                    f.hub.publish("/w/" + (i % 8), DATA); // 0..3 known to the cursor, 4..7 first met
                    published.set(i + 1);
                }
            });
            spinUntil(() -> published.get() >= 100);
            Feed feed = f.hub.newFeed(new FeedLimits(100_000, 1L << 30, 10), new Signals());
            SubscribeResult r = subscribe(feed, "/w/**", new Resume.From(cursor));
            limit.set(published.get() + 200);
            publisher.get(10, TimeUnit.SECONDS);

            assertThat(r.recovered()).isTrue();
            Map<String, List<Long>> perChannel = new HashMap<>();
            for (Delivery d : CoreFixture.drain(feed)) {
                Message m = (Message) d;
                perChannel.computeIfAbsent(m.channel(), k -> new ArrayList<>()).add(m.offset());
            }
            for (int c = 0; c < 8; c++) {
                String channel = "/w/" + c;
                long top = done(f.hub.history(channel, 0, 0)).latestOffset();
                long from = c < 4 ? 4 : 1;
                List<Long> expected = new ArrayList<>();
                for (long o = from; o <= top; o++) {
                    expected.add(o);
                }
                assertThat(perChannel.getOrDefault(channel, List.of())).as("round %d %s", round, channel).isEqualTo(expected);
            }
        }
    }

    /** A publish on one channel completes while another channel's delivery is stuck. */
    @Test
    void publishesOnDifferentChannelsDoNotBlockEachOther() throws Exception {
        CoreFixture f = new CoreFixture();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Feed blocking = f.feed(new Feed.Listener() {
            @Override
            public void onReady() {
                stuck.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // a misbehaving door: blocks its delivery thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onOverflow() {
            }
        });
        subscribe(blocking, "/slow");
        Feed other = f.feed();
        subscribe(other, "/fast");

        Future<Message> slowPublish = pool.submit(() -> done(f.hub.publish("/slow", DATA)));
        assertThat(stuck.await(5, TimeUnit.SECONDS)).isTrue();

        Message fast = pool.submit(() -> done(f.hub.publish("/fast", DATA))).get(5, TimeUnit.SECONDS);
        assertThat(fast.offset()).isEqualTo(1);
        assertThat(CoreFixture.offsets(CoreFixture.drain(other))).containsExactly(1L);
        // The same channel does not block its next publisher either: the stuck thread delivers it later, in order.
        Message second = pool.submit(() -> done(f.hub.publish("/slow", DATA))).get(5, TimeUnit.SECONDS);
        assertThat(second.offset()).isEqualTo(2);

        release.countDown();
        assertThat(slowPublish.get(5, TimeUnit.SECONDS).offset()).isEqualTo(1);
        assertThat(CoreFixture.offsets(CoreFixture.drain(blocking))).containsExactly(1L, 2L);
    }

    /** Many threads push a feed over its bound at once: the door hears of it exactly once. */
    @Test
    void overflowIsReportedOnceUnderConcurrentOffers() throws Exception {
        for (int round = 0; round < 200; round++) {
            CoreFixture f = new CoreFixture();
            Signals signals = new Signals();
            Feed feed = f.hub.newFeed(new FeedLimits(1, 1 << 20, 10), signals);
            for (int c = 0; c < 8; c++) {
                subscribe(feed, "/o/" + c);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> publishers = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                String channel = "/o/" + c;
                publishers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 4; i++) {
                        f.hub.publish(channel, DATA);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> p : publishers) {
                p.get(10, TimeUnit.SECONDS);
            }
            assertThat(signals.overflow).as("round %d", round).hasValue(1);
            assertThat(f.hub.subscribedPatterns()).isZero();
        }
    }

    /** Subscribe and unsubscribe racing on one feed leave the hub's registry matching the feed. */
    @Test
    void racingSubscribeAndUnsubscribeLeaveTheHubConsistent() throws Exception {
        CoreFixture f = new CoreFixture();
        java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(2);
        int rounds = 20_000;
        Feed[] feeds = new Feed[rounds];
        for (int i = 0; i < rounds; i++) {
            feeds[i] = f.feed();
        }
        Future<?> subscriber = pool.submit(() -> {
            for (int i = 0; i < rounds; i++) {
                barrier.await(10, TimeUnit.SECONDS);
                feeds[i].subscribe(ChannelPattern.parse("/r/" + i), Resume.LIVE);
            }
            return null;
        });
        Future<?> unsubscriber = pool.submit(() -> {
            for (int i = 0; i < rounds; i++) {
                barrier.await(10, TimeUnit.SECONDS);
                feeds[i].unsubscribe(ChannelPattern.parse("/r/" + i));
            }
            return null;
        });
        subscriber.get(30, TimeUnit.SECONDS);
        unsubscriber.get(30, TimeUnit.SECONDS);
        int following = 0;
        for (Feed feed : feeds) {
            following += feed.patterns().size();
        }
        assertThat(f.hub.subscribedPatterns()).isEqualTo(following);
        for (Feed feed : feeds) {
            feed.close();
        }
        assertThat(f.hub.subscribedPatterns()).as("feeds left registered after all closed").isZero();
    }

    /** Close racing subscribes: afterwards nothing of the feed stays registered. */
    @Test
    void closeRacingSubscribesLeavesNothingRegistered() throws Exception {
        CoreFixture f = new CoreFixture();
        for (int round = 0; round < 300; round++) {
            Feed feed = f.feed();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> racers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int base = t;
                racers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20; i++) {
                        CompletableFuture<SubscribeResult> ignored =
                                feed.subscribe(ChannelPattern.parse("/c/" + base + "/" + i), Resume.LIVE).toCompletableFuture();
                    }
                    return null;
                }));
            }
            racers.add(pool.submit(() -> {
                start.await();
                feed.close();
                return null;
            }));
            start.countDown();
            for (Future<?> r : racers) {
                r.get(10, TimeUnit.SECONDS);
            }
            assertThat(f.hub.subscribedPatterns()).as("round %d", round).isZero();
        }
    }
}
