package dev.halley.server.cluster;

import dev.halley.core.Epochs;
import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyConfig;
import dev.halley.server.HalleyServer;
import dev.halley.server.testing.LeakGuard;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Several Halley servers in this JVM, each on its own port, sharing one engine under a namespace
 * (broker prefix) of their own, which is removed when they close. A node "dies" with
 * {@link #stop(int)}; see {@code NodeFailureTest} for a node that is a killed process.
 */
public final class ClusterNodes implements AutoCloseable {
    private final String brokerUri;
    private final String prefix = "it" + Epochs.random();
    private final UnaryOperator<HalleyConfig> tweak;
    private final List<HalleyServer> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ClusterNodes(String brokerUri, int count, UnaryOperator<HalleyConfig> tweak) throws InterruptedException {
        LeakGuard.install();
        this.brokerUri = brokerUri;
        this.tweak = tweak;
        for (int i = 0; i < count; i++) {
            nodes.add(HalleyServer.start(config()));
        }
    }

    /** The configuration every node of this cluster starts with (port 0). */
    public HalleyConfig config() {
        return tweak.apply(HalleyConfig.defaults().withPort(0).with(ConfigKey.HOST, "127.0.0.1")
                .with(ConfigKey.BROKER, brokerUri).with(ConfigKey.BROKER_PREFIX, prefix)
                .with(ConfigKey.SHUTDOWN_GRACE, "0s"));
    }

    public String prefix() {
        return prefix;
    }

    public HalleyServer node(int i) {
        return nodes.get(i);
    }

    public int port(int i) {
        return nodes.get(i).port();
    }

    public URI uri(int i, String path) {
        return URI.create("http://127.0.0.1:" + port(i) + path);
    }

    /** Stops node {@code i} (its clients are told to reconnect elsewhere, and its connections closed). */
    public void stop(int i) {
        nodes.get(i).close();
    }

    /** GET on node {@code i}, 10 s deadline. */
    public HttpResponse<String> get(int i, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(i, path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST /api/publish} on node {@code i}; the response as it came (status and body). */
    public HttpResponse<String> publish(int i, String channel, String dataJson) throws Exception {
        return publish(port(i), channel, dataJson, http);
    }

    static HttpResponse<String> publish(int port, String channel, String dataJson, HttpClient http) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/publish"))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"" + channel + "\",\"data\":" + dataJson + "}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        nodes.forEach(HalleyServer::close);
        Engine.drop(brokerUri, prefix);
        LeakGuard.assertNoLeaks();
    }
}
