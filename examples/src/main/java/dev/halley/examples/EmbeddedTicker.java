package dev.halley.examples;

import dev.halley.server.HalleyConfig;
import dev.halley.server.HalleyServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * On-board: a Java app whose web server is the Comet server. It serves its own route
 * ({@code /hello}) next to Halley's doors and publishes a tick to {@code /ticker} every second
 * straight into the hub. Run: {@code java -cp … dev.halley.examples.EmbeddedTicker [port]}.
 */
public final class EmbeddedTicker {
    private EmbeddedTicker() {
    }

    /** Starts the server with the app's own route; the caller closes it. */
    public static HalleyServer start(int port) throws InterruptedException {
        return HalleyServer.start(HalleyConfig.defaults().withPort(port), Map.of(
                "/hello", context -> exchange -> exchange.send(HttpResponseStatus.OK, "text/plain; charset=UTF-8",
                        Unpooled.copiedBuffer("hello from the host app\n", StandardCharsets.UTF_8), null)));
    }

    /** Publishes one tick: the app talks to the hub directly, no HTTP in between. */
    public static void tick(HalleyServer server, long n) {
        server.hub().publish("/ticker", ("{\"tick\":" + n + "}").getBytes(StandardCharsets.UTF_8));
    }

    public static void main(String[] args) throws InterruptedException {
        HalleyServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 8080);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        long[] n = {0};
        clock.scheduleAtFixedRate(() -> tick(server, ++n[0]), 1, 1, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            clock.shutdownNow();
            server.close();
        }));
        System.out.println("curl -N 'localhost:" + server.port() + "/sse?channel=/ticker'   and   curl localhost:"
                + server.port() + "/hello");
    }
}
