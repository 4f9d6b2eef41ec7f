package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** A hub on an in-memory broker (optionally gated) with a hand-driven clock, and helpers to read feeds. */
final class CoreFixture {
    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final InMemoryBroker memory;
    final Broker broker;
    final Hub hub;

    CoreFixture() {
        this(HistoryLimits.DEFAULT);
    }

    CoreFixture(HistoryLimits limits) {
        this(limits, memory -> memory);
    }

    CoreFixture(HistoryLimits limits, Function<InMemoryBroker, Broker> wrap) {
        memory = new InMemoryBroker(limits, clock::get);
        broker = wrap.apply(memory);
        hub = new Hub(broker, clock::get);
    }

    static HistoryLimits history(int maxMessages) {
        return new HistoryLimits(maxMessages, Duration.ofSeconds(300), Duration.ofHours(1));
    }

    Message publish(String channel) {
        return publish(channel, "{\"t\":" + clock.get() + "}");
    }

    Message publish(String channel, String json) {
        return done(hub.publish(channel, json.getBytes(StandardCharsets.UTF_8)));
    }

    List<Message> publish(String channel, int count) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(publish(channel));
        }
        return out;
    }

    Feed feed(Feed.Listener listener) {
        return hub.newFeed(FeedLimits.DEFAULT, listener);
    }

    Feed feed() {
        return feed(new Signals());
    }

    static SubscribeResult subscribe(Feed feed, String pattern, Resume resume) {
        return done(feed.subscribe(ChannelPattern.parse(pattern), resume));
    }

    static SubscribeResult subscribe(Feed feed, String pattern) {
        return subscribe(feed, pattern, Resume.LIVE);
    }

    static <T> T done(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Everything queued now. */
    static List<Delivery> drain(Feed feed) {
        return feed.take(Integer.MAX_VALUE).deliveries();
    }

    /** "channel@offset" per message and "gap:channel" per gap notice, in delivery order. */
    static List<String> describe(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d instanceof Message m ? m.channel() + "@" + m.offset() : "gap:" + ((Gap) d).channel())
                .toList();
    }

    static List<Long> offsets(List<Delivery> deliveries) {
        List<Long> out = new ArrayList<>();
        for (Delivery d : deliveries) {
            assertThat(d).isInstanceOf(Message.class);
            out.add(((Message) d).offset());
        }
        return out;
    }

    /** Counts the listener calls of a feed. */
    static class Signals implements Feed.Listener {
        final AtomicInteger ready = new AtomicInteger();
        final AtomicInteger overflow = new AtomicInteger();

        @Override
        public void onReady() {
            ready.incrementAndGet();
        }

        @Override
        public void onOverflow() {
            overflow.incrementAndGet();
        }
    }
}
