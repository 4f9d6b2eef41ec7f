package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryBrokerTest {
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    private InMemoryBroker broker(int maxMessages, Duration maxAge, Duration idleExpiry) {
        return new InMemoryBroker(new HistoryLimits(maxMessages, maxAge, idleExpiry), clock::get);
    }

    private InMemoryBroker broker() {
        return broker(100, Duration.ofSeconds(300), Duration.ofHours(1));
    }

    private static <T> T done(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static Message publish(Broker broker, String channel, int n) throws Exception {
        return done(broker.publish(channel, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Long> offsets(HistorySlice slice) {
        return slice.messages().stream().map(Message::offset).toList();
    }

    @Test
    void offsetsStartAtOneAndGrowByOnePerChannel() throws Exception {
        InMemoryBroker b = broker();
        List<Long> a = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            a.add(publish(b, "/a", i).offset());
            if (i % 2 == 0) {
                publish(b, "/b", i);
            }
        }
        assertThat(a).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(publish(b, "/b", 9).offset()).isEqualTo(4);
    }

    @Test
    void publishedMessageCarriesChannelEpochTimeAndData() throws Exception {
        InMemoryBroker b = broker();
        Message m = publish(b, "/a", 7);
        assertThat(m.channel()).isEqualTo("/a");
        assertThat(m.time()).isEqualTo(clock.get());
        assertThat(new String(m.data(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":7}");
        assertThat(Epochs.isValid(m.epoch())).isTrue();
        assertThat(done(b.history("/a", 0, 10)).epoch()).isEqualTo(m.epoch());
    }

    @Test
    void historyIsBoundedByCount() throws Exception {
        InMemoryBroker b = broker(3, Duration.ofSeconds(300), Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            publish(b, "/a", i);
        }
        HistorySlice s = done(b.history("/a", 0, Integer.MAX_VALUE));
        assertThat(offsets(s)).containsExactly(3L, 4L, 5L);
        assertThat(s.firstOffset()).isEqualTo(3);
        assertThat(s.latestOffset()).isEqualTo(5);
    }

    @Test
    void historyIsBoundedByAgeTrimmedOnRead() throws Exception {
        InMemoryBroker b = broker(100, Duration.ofSeconds(10), Duration.ofHours(1));
        publish(b, "/a", 1);
        clock.addAndGet(5_000);
        publish(b, "/a", 2);
        clock.addAndGet(5_000);
        assertThat(offsets(done(b.history("/a", 0, 10)))).containsExactly(1L, 2L);
        clock.addAndGet(1);
        HistorySlice s = done(b.history("/a", 0, 10));
        assertThat(offsets(s)).containsExactly(2L);
        assertThat(s.firstOffset()).isEqualTo(2);
        clock.addAndGet(5_000);
        s = done(b.history("/a", 0, 10));
        assertThat(s.messages()).isEmpty();
        assertThat(s.firstOffset()).isEqualTo(3);
        assertThat(s.latestOffset()).isEqualTo(2);
    }

    @Test
    void zeroHistoryKeepsNothingButStillSequences() throws Exception {
        InMemoryBroker b = broker(0, Duration.ofSeconds(10), Duration.ofHours(1));
        publish(b, "/a", 1);
        assertThat(publish(b, "/a", 2).offset()).isEqualTo(2);
        HistorySlice s = done(b.history("/a", 0, 10));
        assertThat(s.messages()).isEmpty();
        assertThat(s.firstOffset()).isEqualTo(3);
        assertThat(s.reaches(2, s.epoch())).isTrue();
        assertThat(s.reaches(1, s.epoch())).isFalse();
    }

    @Test
    void historyAfterReturnsTheNewestLimitMessagesAfterTheOffset() throws Exception {
        InMemoryBroker b = broker();
        for (int i = 0; i < 10; i++) {
            publish(b, "/a", i);
        }
        assertThat(offsets(done(b.history("/a", 3, 2)))).containsExactly(9L, 10L);
        assertThat(offsets(done(b.history("/a", 3, 100)))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(offsets(done(b.history("/a", 8, 5)))).containsExactly(9L, 10L);
        assertThat(offsets(done(b.history("/a", 10, 5)))).isEmpty();
        assertThat(offsets(done(b.history("/a", 99, 5)))).isEmpty();
        HistorySlice top = done(b.history("/a", 0, 0));
        assertThat(top.messages()).isEmpty();
        assertThat(top.latestOffset()).isEqualTo(10);
        assertThat(top.firstOffset()).isEqualTo(1);
    }

    @Test
    void historyOfAnUnknownChannelIsEmptyAtZero() throws Exception {
        HistorySlice s = done(broker().history("/never", 0, 10));
        assertThat(s.channel()).isEqualTo("/never");
        assertThat(s.latestOffset()).isZero();
        assertThat(s.firstOffset()).isEqualTo(1);
        assertThat(s.messages()).isEmpty();
        assertThat(s.reaches(0, s.epoch())).isTrue();
    }

    @Test
    void historySinceReturnsMessagesAtOrAfterTheTime() throws Exception {
        InMemoryBroker b = broker();
        long t0 = clock.get();
        publish(b, "/a", 1);
        clock.addAndGet(10);
        publish(b, "/a", 2);
        publish(b, "/a", 3);
        clock.addAndGet(10);
        publish(b, "/a", 4);
        assertThat(offsets(done(b.historySince("/a", t0)))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(offsets(done(b.historySince("/a", t0 + 1)))).containsExactly(2L, 3L, 4L);
        assertThat(offsets(done(b.historySince("/a", t0 + 10)))).containsExactly(2L, 3L, 4L);
        assertThat(offsets(done(b.historySince("/a", t0 + 20)))).containsExactly(4L);
        assertThat(offsets(done(b.historySince("/a", t0 + 21)))).isEmpty();
    }

    @Test
    void messageTimesNeverGoBackwardsWithinAChannel() throws Exception {
        InMemoryBroker b = broker();
        long t0 = clock.get();
        publish(b, "/a", 1);
        clock.addAndGet(100);
        publish(b, "/a", 2);
        clock.addAndGet(-1_000); // a wall clock stepped back (NTP)
        Message third = publish(b, "/a", 3);
        assertThat(third.time()).isEqualTo(t0 + 100);
        // A resume "since t0 + 50" must not lose message 3 behind the stepped-back clock.
        assertThat(offsets(done(b.historySince("/a", t0 + 50)))).containsExactly(2L, 3L);
    }

    @Test
    void epochIsRandomPerChannelAndStable() throws Exception {
        InMemoryBroker b = broker();
        Set<String> epochs = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Message m = publish(b, "/c" + i, 1);
            assertThat(Epochs.isValid(m.epoch())).isTrue();
            assertThat(m.epoch()).hasSize(10);
            epochs.add(m.epoch());
            assertThat(publish(b, "/c" + i, 2).epoch()).isEqualTo(m.epoch());
        }
        assertThat(epochs).hasSize(20);
        assertThat(broker().history("/c0", 0, 0).toCompletableFuture().join().epoch()).isNotIn(epochs);
    }

    @Test
    void sweepForgetsIdleChannelsWhichComeBackWithANewEpoch() throws Exception {
        InMemoryBroker b = broker(100, Duration.ofSeconds(10), Duration.ofSeconds(60));
        Message first = publish(b, "/a", 1);
        publish(b, "/b", 1);
        assertThat(b.channelCount()).isEqualTo(2);

        clock.addAndGet(30_000);
        publish(b, "/b", 2);
        clock.addAndGet(30_000);
        b.sweep();
        assertThat(b.channelCount()).isEqualTo(2); // /a idle exactly 60 s: not past the expiry yet
        clock.addAndGet(1);
        b.sweep();
        assertThat(b.channelCount()).isEqualTo(1);

        Message again = publish(b, "/a", 2);
        assertThat(again.offset()).isEqualTo(1);
        assertThat(again.epoch()).isNotEqualTo(first.epoch());
        assertThat(done(b.history("/a", 1, 10)).reaches(1, first.epoch())).isFalse();
    }

    @Test
    void sweepKeepsChannelsThatStillHoldHistory() throws Exception {
        InMemoryBroker b = broker(100, Duration.ofHours(2), Duration.ofHours(2));
        Message m = publish(b, "/a", 1);
        clock.addAndGet(Duration.ofHours(1).toMillis() + 1);
        b.sweep();
        assertThat(b.channelCount()).isEqualTo(1);
        assertThat(publish(b, "/a", 2).epoch()).isEqualTo(m.epoch());
    }

    @Test
    void channelsListsThoseUnderAPattern() throws Exception {
        InMemoryBroker b = broker();
        for (String c : List.of("/a/1", "/a/2", "/a/2/x", "/b/1", "/a")) {
            publish(b, c, 1);
        }
        assertThat(done(b.channels(ChannelPattern.parse("/a/*")))).containsExactlyInAnyOrder("/a/1", "/a/2");
        assertThat(done(b.channels(ChannelPattern.parse("/a/**")))).containsExactlyInAnyOrder("/a/1", "/a/2", "/a/2/x");
        assertThat(done(b.channels(ChannelPattern.parse("/**")))).hasSize(5);
        assertThat(done(b.channels(ChannelPattern.parse("/c/**")))).isEmpty();
    }

    @Test
    void liveMessagesReachTheListenerInOrder() throws Exception {
        InMemoryBroker b = broker();
        List<Message> got = new ArrayList<>();
        b.start(got::add);
        Message one = publish(b, "/a", 1);
        Message two = publish(b, "/b", 1);
        assertThat(got).containsExactly(one, two);
    }
}
