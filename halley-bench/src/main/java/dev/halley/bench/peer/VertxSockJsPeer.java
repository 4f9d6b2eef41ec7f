package dev.halley.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x 5 web's SockJS handler at {@code /sockjs/channels} (every SockJS transport: websocket,
 * xhr-streaming, xhr-polling, eventsource, htmlfile, jsonp), with a small channel model, plus
 * {@code POST /publish} and {@code GET /healthz}.
 *
 * <pre>java -cp halley-bench/target/halley-bench.jar dev.halley.bench.peer.VertxSockJsPeer --port 18082</pre>
 *
 * <h2>Wire</h2>
 * The requests and replies of Halley's {@code channels} SockJS service (its WebSocket protocol), at
 * the same path, so the bench's clients send both servers the same bytes: a client sends SockJS
 * messages {@code {"op":"subscribe","channel":"/x","id":1}} (or {@code "unsubscribe"}; {@code id}
 * optional, a number or a string) and gets {@code {"id":1,"ok":true,"channel":"/x"}} once the
 * subscription is live (only when the request had an {@code id}), or
 * {@code {"id":1,"error":"bad_request","message":…}} (always). A publish reaches every subscriber
 * of the channel as the SockJS message {@code {"channel":"/x","data":…}}: unlike Halley's, with no
 * {@code offset} or {@code time}, since the peer keeps no history.
 *
 * <h2>Configuration</h2>
 * As the Vert.x core manual advises for throughput: native transport (epoll) when available, one
 * event loop per core ({@code --event-loops}, default: cores) and as many verticle instances, each
 * with its own HTTP server on the shared port so connections are spread over all event loops.
 * SockJS options are its defaults, named here because they match Halley's: 25 s heartbeat, 128 KiB
 * per streaming response ({@code --stream-budget}, as Halley's key; tests lower it to make streams
 * end often), 5 s session timeout; no JSESSIONID cookie.
 */
public final class VertxSockJsPeer implements Peer {

    static final Set<String> OPTIONS = Set.of("event-loops", "stream-budget");

    /** SockJS's default {@code maxBytesStreaming}, and Halley's {@code stream-budget}. */
    static final int STREAM_BUDGET = 128 * 1024;

    /** Where the SockJS handler is mounted: the path of Halley's {@code channels} service. */
    static final String SOCKJS = "/sockjs/channels";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final InetSocketAddress address;

    private VertxSockJsPeer(Vertx vertx, InetSocketAddress address) {
        this.vertx = vertx;
        this.address = address;
    }

    public static void main(String[] args) {
        PeerMain.run("vertx-sockjs-peer", args, OPTIONS, VertxSockJsPeer::start);
    }

    /** Starts the peer; it is listening when this returns. */
    public static VertxSockJsPeer start(PeerFlags flags) throws Exception {
        int eventLoops = flags.intOption("event-loops", Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true));
        try {
            int port = flags.port() == 0 ? firstPort(vertx, flags.host()) : flags.port();
            SockJsChannels channels = new SockJsChannels();
            int streamBudget = flags.intOption("stream-budget", STREAM_BUDGET);
            vertx.deployVerticle(() -> new ServerVerticle(channels, flags.host(), port, streamBudget),
                            new DeploymentOptions().setInstances(eventLoops))
                    .await(10, TimeUnit.SECONDS);
            return new VertxSockJsPeer(vertx, new InetSocketAddress(flags.host(), port));
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    /**
     * A free port for port 0: every instance must listen on the same port for Vert.x to share it,
     * so the port is chosen once, by binding and releasing it on the loopback.
     */
    private static int firstPort(Vertx vertx, String host) throws Exception {
        HttpServer probe = vertx.createHttpServer().requestHandler(req -> req.response().end())
                .listen(0, host).await(5, TimeUnit.SECONDS);
        int port = probe.actualPort();
        probe.close().await(5, TimeUnit.SECONDS);
        return port;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Vert.x peer did not stop within 10 s", e);
        }
    }

    @Override
    public String toString() {
        return "VertxSockJsPeer[" + address + "]";
    }

    /** One event loop's HTTP server: SockJS, publish and health routes. */
    private static final class ServerVerticle extends VerticleBase {
        private final SockJsChannels channels;
        private final String host;
        private final int port;
        private final int streamBudget;

        ServerVerticle(SockJsChannels channels, String host, int port, int streamBudget) {
            this.channels = channels;
            this.host = host;
            this.port = port;
            this.streamBudget = streamBudget;
        }

        @Override
        public Future<?> start() {
            SockJSHandlerOptions sockJs = new SockJSHandlerOptions()
                    .setHeartbeatInterval(25_000)
                    .setMaxBytesStreaming(streamBudget)
                    .setSessionTimeout(5_000)
                    .setInsertJSESSIONID(false);
            Router router = Router.router(vertx);
            // SockJS's POST transports (xhr_send, jsonp_send) read the body a BodyHandler collected.
            router.post(SOCKJS + "/*").handler(BodyHandler.create().setBodyLimit(PublishRequest.MAX_BODY));
            router.route(SOCKJS + "/*").subRouter(SockJSHandler.create(vertx, sockJs).socketHandler(this::onSocket));
            router.post("/publish").handler(BodyHandler.create().setBodyLimit(PublishRequest.MAX_BODY)).handler(this::onPublish);
            router.get("/healthz").handler(ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("ok", true)));
            return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
                    .requestHandler(router)
                    .listen(port, host);
        }

        private void onSocket(SockJSSocket socket) {
            SockJsChannels.Partition partition = channels.here();
            socket.handler(message -> partition.execute(() -> onMessage(partition, socket, message)));
            socket.closeHandler(v -> partition.execute(() -> partition.drop(socket)));
        }

        private void onMessage(SockJsChannels.Partition partition, SockJSSocket socket, Buffer message) {
            JsonNode request;
            try {
                request = JSON.readTree(message.getBytes());
            } catch (java.io.IOException e) {
                request = null;
            }
            if (request == null || !request.isObject()) {
                socket.write(error(null, "bad_json", "A request is a JSON object.").toString());
                return;
            }
            JsonNode id = request.get("id");
            String op = request.path("op").asText("");
            String channel = request.path("channel").asText("");
            if (!op.equals("subscribe") && !op.equals("unsubscribe")) {
                socket.write(error(id, "bad_request", "Unknown op '" + op + "'.").toString());
            } else if (!channel.startsWith("/")) {
                socket.write(error(id, "bad_channel", "'channel' must start with '/'.").toString());
            } else if (op.equals("unsubscribe")) {
                partition.unsubscribe(socket, channel);
                ok(socket, id, channel);
            } else if (partition.subscribe(socket, channel)) {
                ok(socket, id, channel);
            } else {
                socket.write(error(id, "too_many", "At most " + SockJsChannels.MAX_CHANNELS_PER_SOCKET
                        + " channels per session.").toString());
            }
        }

        /** {@code {"id":…,"ok":true,"channel":…}}, sent only for a request that carried an id, as Halley does. */
        private static void ok(SockJSSocket socket, JsonNode id, String channel) {
            if (id != null) {
                ObjectNode reply = JSON.createObjectNode();
                reply.set("id", id);
                socket.write(reply.put("ok", true).put("channel", channel).toString());
            }
        }

        /** {@code {"id":…,"error":code,"message":…}} (no id when the request had none), as Halley's replies. */
        private static ObjectNode error(JsonNode id, String code, String message) {
            ObjectNode reply = JSON.createObjectNode();
            if (id != null) {
                reply.set("id", id);
            }
            return reply.put("error", code).put("message", message);
        }

        /** One message, or an array of them published in order (the bench's {@code --batches}). */
        private void onPublish(RoutingContext ctx) {
            List<PublishRequest> requests;
            try {
                requests = PublishRequest.parseAll(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            } catch (IllegalArgumentException e) {
                ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end(JSON.createObjectNode().put("error", e.getMessage()).toString());
                return;
            }
            requests.forEach(request -> channels.publish(request.channel(), Buffer.buffer(request.toMessageJson())));
            ctx.json(new io.vertx.core.json.JsonObject().put("ok", true));
        }
    }
}
