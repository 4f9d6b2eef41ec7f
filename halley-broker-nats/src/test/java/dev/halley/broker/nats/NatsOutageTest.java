package dev.halley.broker.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.halley.core.BrokerConfig;
import dev.halley.core.ChannelPattern;
import dev.halley.core.HalleyException;
import dev.halley.core.HistoryLimits;
import dev.halley.core.HistorySlice;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.core.testing.EngineProcess;
import dev.halley.core.testing.Engines;
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
 * What a node does when NATS goes away and comes back, on a private nats-server (killed and
 * restarted here; the shared one is never touched). Unlike Redis, a NATS server that comes back
 * with its JetStream storage keeps epochs and history: resumes across it are whole. One that
 * lost its storage means new epochs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NatsOutageTest {
    private static EngineProcess nats;
    private final List<NatsBroker> nodes = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startNats() {
        Engines.requireCommand("nats-server");
        nats = EngineProcess.nats();
    }

    @AfterAll
    static void stopNats() {
        if (nats != null) {
            nats.close();
        }
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(NatsBroker::close);
        nats.start();
    }

    private NatsBroker node(List<Message> received) {
        if (prefix == null) {
            prefix = "outage" + System.nanoTime();
        }
        NatsBroker b = new NatsBroker(new BrokerConfig(nats.uri(), prefix, HistoryLimits.DEFAULT, 1 << 20), System::currentTimeMillis);
        b.start(received::add);
        nodes.add(b);
        return b;
    }

    private static Message publish(NatsBroker b, String channel, int n) {
        try {
            return b.publish(channel, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Message publishWhenBack(NatsBroker b, String channel, int n) {
        return await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> publish(b, channel, n), m -> m != null);
    }

    @Test
    void publishFailsFastWhileNatsIsDownThenContinuesTheSameEpoch() throws Exception {
        NatsBroker a = node(new CopyOnWriteArrayList<>());
        Message before = publish(a, "/fast", 1);
        nats.kill();
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            CompletionStage<Message> stage = a.publish("/fast", "2".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> stage.toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(HalleyException.of(e).error()).isEqualTo(ReplyError.UNAVAILABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
        nats.start();
        Message after = publishWhenBack(a, "/fast", 3);
        // The failed publishes were not sent late: the next offset is 2, in the same epoch.
        assertThat(after.epoch()).isEqualTo(before.epoch());
        assertThat(after.offset()).isEqualTo(2);
        HistorySlice kept = a.history("/fast", 0, 10).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(kept.reaches(0, before.epoch())).isTrue();
        assertThat(kept.messages()).extracting(Message::offset).containsExactly(1L, 2L);
    }

    @Test
    void aServerThatLostItsStorageMeansANewEpoch() throws Exception {
        NatsBroker a = node(new CopyOnWriteArrayList<>());
        Message before = publish(a, "/lost", 1);
        nats.kill();
        nats.wipe();
        nats.start();
        Message after = publishWhenBack(a, "/lost", 2);
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        assertThat(after.offset()).isEqualTo(1);
    }

    @Test
    void subscriptionsComeBackAfterARestart() {
        List<Message> got = new CopyOnWriteArrayList<>();
        NatsBroker publisher = node(new CopyOnWriteArrayList<>());
        NatsBroker subscriber = node(got);
        subscriber.subscribe(ChannelPattern.parse("/x"));
        subscriber.subscribe(ChannelPattern.parse("/w/*"));
        subscriber.history("/x", 0, 0).toCompletableFuture().join();
        subscriber.history("/w/probe", 0, 0).toCompletableFuture().join();
        publish(publisher, "/x", 1);
        publish(publisher, "/w/a", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);

        nats.kill();
        nats.start();
        publishWhenBack(publisher, "/x", 2);
        publish(publisher, "/w/a", 2);
        await().atMost(Duration.ofSeconds(15)).until(() -> got.size() == 4);
        assertThat(got).extracting(m -> m.channel() + ":" + m.offset()).containsExactlyInAnyOrder("/x:1", "/w/a:1", "/x:2", "/w/a:2");
    }
}
