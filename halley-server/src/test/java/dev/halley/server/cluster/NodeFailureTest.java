package dev.halley.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.testing.RawHttp;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Node A is a separate process killed with SIGKILL (no goodbye to its clients); its clients
 * resume on node B from where they stood, within the history window: an SSE client with
 * {@code Last-Event-ID}, a long-poll client with its cursor. Nothing lost, nothing twice, no gap.
 */
@Timeout(90)
class NodeFailureTest {
    private static final Pattern ID = Pattern.compile("(?m)^id: (\\S+)$");
    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");

    @Test
    void clientsOfAKilledNodeResumeOnAnotherWithinTheHistoryWindow() throws Exception {
        Engine.REDIS.require();
        try (ClusterNodes nodes = new ClusterNodes(Engine.REDIS.uri(), 1, c -> c)) {
            NodeProcess a = NodeProcess.start(nodes);
            try {
                int portA = a.awaitPort();
                LongPollClient poller = new LongPollClient("/fail", 0);
                String lastEventId;
                try (RawHttp sse = new RawHttp(portA, Duration.ofSeconds(15))) {
                    sse.get("/sse?channel=/fail&since=0");
                    assertThat(sse.readHead().status()).isEqualTo(200);
                    for (int i = 1; i <= 5; i++) {
                        assertThat(nodes.publish(0, "/fail", Integer.toString(i)).statusCode()).isEqualTo(200);
                    }
                    // Each event's id (the cursor right after it) comes before its data.
                    lastEventId = lastMatch(ID, sse.readChunksUntil("\"offset\":5,"));
                    while (poller.lastOffset() < 5) {
                        assertThat(poller.poll(portA)).isEqualTo(200);
                    }
                    a.process.destroyForcibly().waitFor();
                }
                for (int i = 6; i <= 10; i++) {
                    assertThat(nodes.publish(0, "/fail", Integer.toString(i)).statusCode()).isEqualTo(200);
                }
                try (RawHttp sse = new RawHttp(nodes.port(0), Duration.ofSeconds(15))) {
                    sse.get("/sse?channel=/fail", "Last-Event-ID: " + lastEventId);
                    assertThat(sse.readHead().status()).isEqualTo(200);
                    String events = sse.readChunksUntil("\"offset\":10,");
                    assertThat(events).doesNotContain("event: gap");
                    assertThat(offsets(events)).containsExactly(6L, 7L, 8L, 9L, 10L);
                }
                while (poller.lastOffset() < 10) {
                    assertThat(poller.poll(nodes.port(0))).isEqualTo(200);
                }
                assertThat(poller.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
                assertThat(poller.gaps).isEmpty();
            } finally {
                a.process.destroyForcibly();
            }
        }
    }

    /** {@code dev.halley.server.Main} in a child JVM on this test's class path, its output in {@code log}. */
    private record NodeProcess(Process process, Path log) {
        /** A node in the same namespace as {@code nodes}, on a port of its choosing. */
        static NodeProcess start(ClusterNodes nodes) throws Exception {
            Path log = Files.createTempFile("halley-node-a", ".log");
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.halley.server.Main",
                    "--port", "0", "--host", "127.0.0.1", "--broker", nodes.config().broker(),
                    "--broker-prefix", nodes.prefix());
            return new NodeProcess(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .directory(new File(".")).start(), log);
        }

        /** The port from the log line "Halley listening on …:PORT", once /healthz answers there. */
        int awaitPort() throws Exception {
            Pattern listening = Pattern.compile("Halley listening on [^:]+:(\\d+)");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            HttpClient http = HttpClient.newHttpClient();
            while (System.nanoTime() < deadline) {
                assertThat(process.isAlive()).as("node A is running; see " + log).isTrue();
                Matcher m = listening.matcher(Files.readString(log));
                if (m.find()) {
                    int port = Integer.parseInt(m.group(1));
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return port;
                    }
                }
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
            throw new AssertionError("node A did not start within 30 s; see " + log);
        }
    }

    private static String lastMatch(Pattern p, String text) {
        Matcher m = p.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        assertThat(last).as("an id in " + text).isNotNull();
        return last;
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
