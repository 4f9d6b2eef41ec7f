package dev.halley.server;

import dev.halley.server.admin.HealthRoute;
import dev.halley.server.admin.MetricsRoute;
import dev.halley.server.admin.StaticRoute;
import dev.halley.server.api.ClientPublish;
import dev.halley.server.api.PublishApi;
import dev.halley.server.http.Route;
import dev.halley.server.transport.PollTransport;
import dev.halley.server.transport.websocket.WebSocketTransport;
import java.util.LinkedHashMap;
import java.util.Map;

/** The standard doors by path. */
final class Routes {
    private Routes() {
    }

    static Map<String, Route> standard(ServerContext server) {
        Map<String, Route> r = new LinkedHashMap<>();
        r.put("/", new StaticRoute("/static/index.html", "text/html; charset=UTF-8"));
        r.put("/index.html", r.get("/"));
        r.put("/halley.js", new StaticRoute("/static/halley.js", "application/javascript; charset=UTF-8"));
        r.put("/healthz", new HealthRoute(server));
        r.put("/metrics", new MetricsRoute(server));
        r.put("/api/publish", new PublishApi(server));
        r.put("/publish", new ClientPublish(server));
        r.put("/poll", new PollTransport(server, false));
        r.put("/longpoll", new PollTransport(server, true));
        r.put("/ws", new WebSocketTransport(server));
        return r;
    }
}
