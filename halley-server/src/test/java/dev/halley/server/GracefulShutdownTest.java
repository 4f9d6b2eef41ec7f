package dev.halley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.testing.LeakGuard;
import dev.halley.server.testing.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.awaitility.Awaitility;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class GracefulShutdownTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void noLeaks() {
        LeakGuard.assertNoLeaks();
    }

    @Test
    void closeAnswersHeldLongPollsAtOnceAndStopsAccepting() throws Exception {
        HalleyServer server = HalleyServer.start(HalleyConfig.defaults().withPort(0)
                .with(ConfigKey.HOST, "127.0.0.1").with(ConfigKey.SHUTDOWN_GRACE, "5s"));
        int port = server.port();
        try (RawHttp held = new RawHttp(port, Duration.ofSeconds(10))) {
            held.get("/longpoll?channel=/shutdown/a&timeout=60");
            // Shut down only once the long-poll is parked (its channel is registered in the hub).
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.hub().subscribedPatterns() == 1);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            RawHttp.Head head = held.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("connection")).isEqualTo("close");
            assertThat(JSON.readTree(held.readBody(head)).get("messages")).isEmpty();
            closing.get(10, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void sigtermDrainsAndExits(@TempDir java.nio.file.Path dir) throws Exception {
        java.io.File log = dir.resolve("halley.log").toFile();
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "dev.halley.server.Main",
                "--port", "0", "--host", "127.0.0.1", "--shutdown-grace", "5s")
                .redirectErrorStream(true).redirectOutput(log).start();
        try {
            int port = awaitPort(log);
            try (RawHttp held = new RawHttp(port, Duration.ofSeconds(15))) {
                held.get("/longpoll?channel=/sigterm/a&timeout=60");
                // Signal only once the long-poll is parked, as /metrics shows.
                HttpClient http = HttpClient.newHttpClient();
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("halley_subscribed_patterns 1"));
                p.destroy(); // SIGTERM
                RawHttp.Head head = held.readHead();
                assertThat(head.status()).isEqualTo(200);
                held.readBody(head);
            }
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("process exits after SIGTERM").isTrue();
            assertThat(java.nio.file.Files.readString(log.toPath())).contains("Halley stopped");
        } finally {
            p.destroyForcibly();
        }
    }

    private static int awaitPort(java.io.File log) {
        Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
        int[] port = new int[1];
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            Matcher m = listening.matcher(java.nio.file.Files.readString(log.toPath()));
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return port[0];
    }
}
