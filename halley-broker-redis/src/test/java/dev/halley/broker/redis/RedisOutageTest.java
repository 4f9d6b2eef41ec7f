package dev.halley.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.halley.core.BrokerConfig;
import dev.halley.core.ChannelPattern;
import dev.halley.core.HalleyException;
import dev.halley.core.HistoryLimits;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.core.testing.EngineProcess;
import dev.halley.core.testing.Engines;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a node does when Redis goes away and comes back, on a private redis-server (killed and
 * restarted here; the shared one is never touched): publishing fails fast, then recovers;
 * subscriptions come back by themselves; a Redis that lost its data, or may have, means a new
 * epoch; live messages lost on a dropped pub/sub connection are repaired from history.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisOutageTest {
    private static EngineProcess redis;
    private final List<RedisBroker> nodes = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        Engines.requireCommand("redis-server");
        redis = EngineProcess.redis();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(RedisBroker::close);
        redis.start();
        admin(c -> c.sync().flushall());
    }

    private RedisBroker node(List<Message> received) {
        RedisBroker b = new RedisBroker(new BrokerConfig(redis.uri(), "outage", HistoryLimits.DEFAULT, 1 << 20));
        b.start(received::add);
        nodes.add(b);
        return b;
    }

    private static Message publish(RedisBroker b, String channel, int n) {
        try {
            return b.publish(channel, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void subscribe(RedisBroker b, String pattern) {
        ChannelPattern p = ChannelPattern.parse(pattern);
        b.subscribe(p);
        b.history(p.isWildcard() ? p.base() + "probe" : pattern, 0, 0).toCompletableFuture().join();
    }

    private static List<String> positions(List<Message> messages, String channel) {
        return messages.stream().filter(m -> m.channel().equals(channel)).map(m -> m.epoch() + ":" + m.offset()).toList();
    }

    @Test
    void publishFailsFastWhileRedisIsDownThenRecoversInANewEpoch() {
        RedisBroker a = node(new CopyOnWriteArrayList<>());
        Message before = publish(a, "/fast", 1);
        redis.kill();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            CompletionStage<Message> stage = a.publish("/fast", "2".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(HalleyException.of(e).error()).isEqualTo(ReplyError.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            assertThatThrownBy(() -> a.history("/fast", 0, 10).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(HalleyException.of(e).error()).isEqualTo(ReplyError.UNAVAILABLE));
        }
        redis.start();
        Message after = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> publish(a, "/fast", 3), m -> m != null);
        assertThat(after.offset()).isEqualTo(1);
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
    }

    @Test
    void subscriptionsComeBackAfterARestartAndFollowTheNewEpoch() {
        List<Message> got = new CopyOnWriteArrayList<>();
        RedisBroker publisher = node(new CopyOnWriteArrayList<>());
        RedisBroker subscriber = node(got);
        subscribe(subscriber, "/x");
        subscribe(subscriber, "/w/*");
        Message x1 = publish(publisher, "/x", 1);
        publish(publisher, "/w/a", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);

        redis.kill();
        redis.start();
        Message x2 = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> publish(publisher, "/x", 2), m -> m != null);
        publish(publisher, "/x", 3);
        publish(publisher, "/w/a", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> positions(got, "/x").size() == 3 && positions(got, "/w/a").size() == 2);
        assertThat(positions(got, "/x")).containsExactly(x1.epoch() + ":1", x2.epoch() + ":1", x2.epoch() + ":2");
        assertThat(x2.epoch()).isNotEqualTo(x1.epoch());
    }

    @Test
    void aRedisRestartedWithItsDataStillStartsANewEpoch() throws Exception {
        RedisBroker a = node(new CopyOnWriteArrayList<>());
        Message before = publish(a, "/kept", 1);
        admin(c -> c.sync().save());
        redis.kill();
        redis.start();
        long restored = admin(c -> c.sync().exists("outage:{/kept}:h"));
        assertThat(restored).as("the snapshot was loaded").isEqualTo(1);
        // Offsets could repeat (a snapshot may be older than what clients saw): a new epoch, history cleared.
        var after = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> a.history("/kept", 0, 10).toCompletableFuture().get(), s -> s != null);
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        assertThat(after.messages()).isEmpty();
        assertThat(after.reaches(1, before.epoch())).isFalse();
    }

    @Test
    void liveMessagesLostOnADroppedPubSubConnectionAreRepairedFromHistory() {
        List<Message> got = new CopyOnWriteArrayList<>();
        RedisBroker publisher = node(new CopyOnWriteArrayList<>());
        RedisBroker subscriber = node(got);
        subscribe(subscriber, "/x");
        subscribe(subscriber, "/w/*");
        publish(publisher, "/x", 0);
        publish(publisher, "/w/a", 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
        admin(c -> c.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub()));
        for (int i = 1; i < 40; i++) {
            publish(publisher, "/x", i);
            publish(publisher, "/w/a", i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 80);
        String epoch = got.stream().filter(m -> m.channel().equals("/x")).findFirst().orElseThrow().epoch();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            expected.add(epoch + ":" + i);
        }
        assertThat(positions(got, "/x")).containsExactlyElementsOf(expected);
        assertThat(positions(got, "/w/a")).hasSize(40).doesNotHaveDuplicates();
    }

    private static <T> T admin(java.util.function.Function<StatefulRedisConnection<String, String>, T> action) {
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return action.apply(c);
        } finally {
            client.shutdown();
        }
    }
}
