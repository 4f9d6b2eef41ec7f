package dev.halley.server.admin;

import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics}: the counters in the Prometheus text format. */
public final class MetricsRoute implements Route {
    private final ServerContext server;

    public MetricsRoute(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        byte[] text = server.metrics().render(server.hub().subscribedPatterns()).getBytes(StandardCharsets.UTF_8);
        ex.send(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=UTF-8", Unpooled.wrappedBuffer(text), null);
    }
}
