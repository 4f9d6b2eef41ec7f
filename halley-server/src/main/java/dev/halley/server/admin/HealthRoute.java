package dev.halley.server.admin;

import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /healthz}: {@code 200 {"status":"ok",…}} while serving, {@code 503
 * {"status":"draining",…}} during a graceful shutdown so load balancers stop sending clients.
 */
public final class HealthRoute implements Route {
    private final ServerContext server;
    private final long started = System.currentTimeMillis();

    public HealthRoute(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET, HttpMethod.HEAD);
        boolean draining = server.isShuttingDown();
        String body = "{\"status\":\"" + (draining ? "draining" : "ok") + "\",\"broker\":\"" + brokerKind()
                + "\",\"connections\":" + server.metrics().openConnections()
                + ",\"uptimeMillis\":" + (System.currentTimeMillis() - started) + "}";
        ex.sendJson(draining ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
                body.getBytes(StandardCharsets.US_ASCII));
    }

    private String brokerKind() {
        String b = server.config().broker();
        int i = b.indexOf(':');
        return i < 0 ? b : b.substring(0, i);
    }
}
