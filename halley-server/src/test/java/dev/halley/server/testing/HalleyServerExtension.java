package dev.halley.server.testing;

import dev.halley.core.Broker;
import dev.halley.core.Hub;
import dev.halley.server.HalleyConfig;
import dev.halley.server.HalleyServer;
import dev.halley.server.ServerContext;
import dev.halley.server.http.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real Halley server on a free port for a test class and stops it after; then checks
 * for Netty buffer leaks. Use as
 * {@code @RegisterExtension static HalleyServerExtension server = new HalleyServerExtension();}
 * optionally with a configuration tweak: {@code new HalleyServerExtension(c -> c.with(ConfigKey.HEARTBEAT, "1s"))}.
 */
public final class HalleyServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final UnaryOperator<HalleyConfig> tweak;
    private final Map<String, Function<ServerContext, Route>> routes;
    private HalleyServer server;
    private HttpClient http;
    private int port;
    private Broker broker;

    public HalleyServerExtension() {
        this(c -> c);
    }

    public HalleyServerExtension(UnaryOperator<HalleyConfig> tweak) {
        this(tweak, Map.of());
    }

    /** With extra routes, as an embedding application adds them (e.g. test pages). */
    public HalleyServerExtension(UnaryOperator<HalleyConfig> tweak, Map<String, Function<ServerContext, Route>> routes) {
        this.tweak = tweak;
        this.routes = Map.copyOf(routes);
        LeakGuard.install();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    /**
     * Runs every server of this extension on {@code broker}, which outlives them: history and
     * epochs survive {@link #restart()}, as with a broker outside the process.
     */
    public HalleyServerExtension onBroker(Broker broker) {
        this.broker = broker;
        return this;
    }

    /** Starts (or restarts, on a new port) the server. */
    public void start() throws InterruptedException {
        port = 0;
        startOnPort();
    }

    /** Stops the server (gracefully) and starts a new one on the same port: clients reconnect to the same URL. */
    public void restart() throws InterruptedException {
        restart(() -> { });
    }

    /** {@link #restart()}, running {@code whileDown} between the stop and the start. */
    public void restart(Runnable whileDown) throws InterruptedException {
        int previous = port();
        stop();
        whileDown.run();
        port = previous;
        startOnPort();
    }

    private void startOnPort() throws InterruptedException {
        HalleyConfig config = tweak.apply(HalleyConfig.defaults().withPort(port).with(dev.halley.server.ConfigKey.HOST, "127.0.0.1"));
        server = broker == null ? HalleyServer.start(config, routes) : HalleyServer.start(config, broker, routes);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
        LeakGuard.assertNoLeaks();
    }

    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public HalleyServer server() {
        return server;
    }

    public Hub hub() {
        return server.hub();
    }

    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:<port>} followed by {@code path}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpClient http() {
        return http;
    }

    /** GET over the JDK client, 10 s deadline. */
    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POST of a JSON body over the JDK client, 10 s deadline. */
    public HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Publishes through {@code POST /api/publish}; returns the response body. Fails unless 200. */
    public String publish(String channel, String dataJson) throws Exception {
        HttpResponse<String> r = post("/api/publish", "{\"channel\":\"" + channel + "\",\"data\":" + dataJson + "}");
        if (r.statusCode() != 200) {
            throw new AssertionError("publish failed: " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }
}
