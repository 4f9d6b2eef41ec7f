package dev.halley.server;

import dev.halley.server.admin.HealthRoute;
import dev.halley.server.admin.MetricsRoute;
import dev.halley.server.admin.StaticRoute;
import dev.halley.server.api.ClientPublish;
import dev.halley.server.api.PublishApi;
import dev.halley.server.http.Json;
import dev.halley.server.http.Route;
import dev.halley.server.http.ScriptSafe;
import dev.halley.server.protocol.bayeux.BayeuxRoute;
import dev.halley.server.protocol.sockjs.SockJsRoute;
import dev.halley.server.transport.PollTransport;
import dev.halley.server.transport.htmlfile.HtmlfileTransport;
import dev.halley.server.transport.iframe.IframeTransport;
import dev.halley.server.transport.ndjson.NdjsonTransport;
import dev.halley.server.transport.sse.SseTransport;
import dev.halley.server.transport.websocket.WebSocketTransport;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The standard doors by path. */
final class Routes {
    /** halley.js as an ES module ({@code /halley.mjs}): the same file, its value exported. */
    static final String ES_MODULE_EXPORTS = "\nexport default Halley;\n"
            + "export var connect = Halley.connect, HalleyClient = Halley.HalleyClient, HalleyError = Halley.HalleyError;\n";
    /** The placeholder in bridge.html for the origins it may serve. */
    static final String BRIDGE_ORIGINS = "/*ORIGINS*/[\"*\"]";

    private Routes() {
    }

    /** {@code cors-origins} as a JavaScript array literal, safe inside a script block. */
    private static String bridgeOrigins(ServerContext server) {
        StringBuilder json = new StringBuilder("[");
        for (String origin : server.config().corsOrigins()) {
            Json.quote(json.length() > 1 ? json.append(',') : json, origin);
        }
        byte[] bytes = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
        return new String(ScriptSafe.escape(bytes, true), StandardCharsets.UTF_8);
    }

    static Map<String, Route> standard(ServerContext server) {
        Map<String, Route> r = new LinkedHashMap<>();
        r.put("/", new StaticRoute("/static/index.html", "text/html; charset=UTF-8"));
        r.put("/index.html", r.get("/"));
        r.put("/halley.js", new StaticRoute("/static/halley.js", "application/javascript; charset=UTF-8"));
        r.put("/halley.mjs", new StaticRoute("/static/halley.js", "application/javascript; charset=UTF-8",
                script -> script + ES_MODULE_EXPORTS));
        r.put("/bridge.html", new StaticRoute("/static/bridge.html", "text/html; charset=UTF-8",
                page -> page.replace(BRIDGE_ORIGINS, bridgeOrigins(server))));
        r.put("/healthz", new HealthRoute(server));
        r.put("/metrics", new MetricsRoute(server));
        r.put("/api/publish", new PublishApi(server));
        r.put("/publish", new ClientPublish(server));
        r.put("/poll", new PollTransport(server, false));
        r.put("/longpoll", new PollTransport(server, true));
        r.put("/stream", new NdjsonTransport());
        r.put("/iframe", new IframeTransport());
        r.put("/htmlfile", new HtmlfileTransport());
        r.put("/sse", new SseTransport());
        r.put("/ws", new WebSocketTransport(server));
        r.put("/cometd/**", new BayeuxRoute(server));
        r.put(SockJsRoute.PATH + "/**", new SockJsRoute(server));
        return r;
    }
}
