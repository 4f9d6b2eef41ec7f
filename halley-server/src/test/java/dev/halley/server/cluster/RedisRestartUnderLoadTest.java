package dev.halley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.core.testing.EngineProcess;
import dev.halley.core.testing.Engines;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.RawHttp;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis (a private redis-server without persistence) is killed and started again while a back
 * end publishes without pause through node A and clients follow on node B: publishing fails fast
 * (503 within 2 s) and recovers by itself; the clients are told {@code recovered:false} exactly
 * once, where history was lost, and get every message of the new epoch.
 */
@Timeout(120)
class RedisRestartUnderLoadTest {
    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");

    /** One publish as the back end saw it. */
    private record Attempt(int status, long millis, long offset) {
    }

    @Test
    void publishingFailsFastThenRecoversAndClientsHearOfTheLostHistoryOnce() throws Exception {
        Engines.requireCommand("redis-server");
        try (EngineProcess redis = EngineProcess.redis();
                // One stream for the whole test: no re-open at the byte budget.
                ClusterNodes nodes = new ClusterNodes(redis.uri(), 2, c -> c.with(ConfigKey.STREAM_BUDGET, "64MiB"));
                RawHttp sse = new RawHttp(nodes.port(1), Duration.ofSeconds(30))) {
            sse.get("/sse?channel=/load&since=0");
            assertThat(sse.readHead().status()).isEqualTo(200);
            StringBuilder events = new StringBuilder();
            // Read as a browser does, all along (a client that stops reading is disconnected as slow).
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> readAll(sse, events));
            List<Attempt> attempts = new CopyOnWriteArrayList<>();
            Load load = new Load(nodes.port(0), attempts);
            LongPollClient poller = new LongPollClient("/load", 0);
            Follower follower = new Follower(poller, nodes.port(1));
            CompletableFuture<Void> publishing = CompletableFuture.runAsync(load);
            CompletableFuture<Void> following = CompletableFuture.runAsync(follower);

            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= 30 && poller.lastOffset() >= 10);
            String cursorBeforeRestart = poller.cursor();
            redis.kill();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.failed() >= 3);
            redis.start();
            int okBeforeRestart = load.ok();
            await().atMost(Duration.ofSeconds(20)).until(() -> load.ok() >= okBeforeRestart + 30);
            load.stop = true;
            publishing.join();
            long lastOffset = attempts.get(attempts.size() - 1).offset();
            await().atMost(Duration.ofSeconds(10)).until(() -> poller.messages.size() > 0 && poller.lastOffset() == lastOffset
                    && !poller.gaps.isEmpty());
            follower.stop = true;
            following.join();

            // Publishing: 200 or a fast 503, nothing else; offsets started again after the restart.
            for (Attempt a : attempts) {
                assertThat(a.status()).as("status of %s", a).isIn(200, 503);
                if (a.status() == 503) {
                    assertThat(a.millis()).as("503 within 2 s").isLessThan(2000);
                }
            }
            List<Long> acked = attempts.stream().filter(a -> a.status() == 200).map(Attempt::offset).toList();
            int restart = firstRestart(acked);
            assertThat(acked.subList(restart, acked.size())).containsExactlyElementsOf(range(1, acked.size() - restart));

            // The long-poll client: one gap, exactly where the offsets start again; whole runs on both sides.
            assertThat(poller.gaps).hasSize(1);
            int gapAt = poller.gaps.get(0);
            List<Long> seen = poller.offsets();
            assertThat(seen.subList(0, gapAt)).containsExactlyElementsOf(range(1, gapAt));
            assertThat(seen.subList(gapAt, seen.size())).containsExactlyElementsOf(range(1, seen.size() - gapAt))
                    .endsWith(lastOffset);

            // The SSE client held its stream on B through it all: one gap notice, then the new epoch whole.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                synchronized (events) {
                    int gap = events.indexOf("event: gap");
                    return gap >= 0 && events.indexOf("\"offset\":" + lastOffset + ",", gap) >= 0;
                }
            });
            String text;
            synchronized (events) {
                text = events.toString();
            }
            sse.close();
            reading.join();
            assertThat(text.split("event: gap", -1)).hasSize(2);
            List<Long> before = offsets(text.substring(0, text.indexOf("event: gap")));
            List<Long> after = offsets(text.substring(text.indexOf("event: gap")));
            assertThat(before).containsExactlyElementsOf(range(1, before.size()));
            assertThat(after).containsExactlyElementsOf(range(1, after.size()));

            // Resuming: from before the restart is a gap, on either node; from after it is whole.
            for (int node = 0; node < 2; node++) {
                assertThat(nodes.get(node, "/poll?channel=/load&cursor=" + cursorBeforeRestart).body()).contains("\"recovered\":false");
                assertThat(nodes.get(node, "/poll?channel=/load&cursor=" + poller.cursor()).body()).contains("\"recovered\":true");
            }
        }
    }

    /** A back end publishing one message after another to node A until stopped. */
    private static final class Load implements Runnable {
        private final int port;
        private final List<Attempt> attempts;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        volatile boolean stop;

        Load(int port, List<Attempt> attempts) {
            this.port = port;
            this.attempts = attempts;
        }

        @Override
        public void run() {
            for (int i = 1; !stop; i++) {
                long t0 = System.nanoTime();
                try {
                    HttpResponse<String> r = ClusterNodes.publish(port, "/load", Integer.toString(i), http);
                    Matcher m = OFFSET.matcher(r.body());
                    attempts.add(new Attempt(r.statusCode(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                            m.find() ? Long.parseLong(m.group(1)) : -1));
                    if (r.statusCode() != 200) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a back end's retry pace
                    }
                } catch (Exception e) {
                    attempts.add(new Attempt(-1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), -1));
                }
            }
        }

        int ok() {
            return (int) attempts.stream().filter(a -> a.status() == 200).count();
        }

        int failed() {
            return (int) attempts.stream().filter(a -> a.status() != 200).count();
        }
    }

    /** A browser long-polling node B until stopped, retrying at its own pace when the node answers 503. */
    private static final class Follower implements Runnable {
        private final LongPollClient client;
        private final int port;
        volatile boolean stop;

        Follower(LongPollClient client, int port) {
            this.client = client;
            this.port = port;
        }

        @Override
        public void run() {
            while (!stop) {
                if (client.poll(port) != 200) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }
    }

    private static void readAll(RawHttp sse, StringBuilder into) {
        try {
            for (byte[] chunk = sse.readChunk(); chunk != null; chunk = sse.readChunk()) {
                synchronized (into) {
                    into.append(new String(chunk, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        } catch (java.io.IOException e) {
            // closed at the end of the test
        }
    }

    private static int firstRestart(List<Long> acked) {
        for (int i = 1; i < acked.size(); i++) {
            if (acked.get(i) <= acked.get(i - 1)) {
                return i;
            }
        }
        throw new AssertionError("offsets never started again: " + acked);
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    private static List<Long> offsets(String events) {
        List<Long> out = new ArrayList<>();
        Matcher m = OFFSET.matcher(events);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }
}
