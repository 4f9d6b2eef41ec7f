package dev.halley.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x 5 web's SockJS handler at {@code /sockjs} (every SockJS transport: websocket, xhr-streaming,
 * xhr-polling, eventsource, htmlfile, jsonp), with a small channel model, plus {@code POST /publish}
 * and {@code GET /healthz}.
 *
 * <pre>java -cp halley-bench/target/halley-bench.jar dev.halley.bench.peer.VertxSockJsPeer --port 18082</pre>
 *
 * <h2>Wire</h2>
 * A client sends SockJS messages {@code {"op":"subscribe","channel":"/x"}} (or {@code "unsubscribe"})
 * and gets {@code {"op":"subscribed","channel":"/x"}} once the subscription is live, or
 * {@code {"op":"error","reason":…}}. A publish reaches every subscriber of the channel as the SockJS
 * message {@code {"channel":"/x","data":…}}.
 *
 * <h2>Configuration</h2>
 * As the Vert.x core manual advises for throughput: native transport (epoll) when available, one
 * event loop per core ({@code --event-loops}, default: cores) and as many verticle instances, each
 * with its own HTTP server on the shared port so connections are spread over all event loops.
 * SockJS options are its defaults, named here because they match Halley's: 25 s heartbeat, 128 KiB
 * per streaming response ({@code stream-budget}), 5 s session timeout; no JSESSIONID cookie.
 */
public final class VertxSockJsPeer implements Peer {

    static final Set<String> OPTIONS = Set.of("event-loops");

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
            vertx.deployVerticle(() -> new ServerVerticle(channels, flags.host(), port),
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

        ServerVerticle(SockJsChannels channels, String host, int port) {
            this.channels = channels;
            this.host = host;
            this.port = port;
        }

        @Override
        public Future<?> start() {
            SockJSHandlerOptions sockJs = new SockJSHandlerOptions()
                    .setHeartbeatInterval(25_000)
                    .setMaxBytesStreaming(128 * 1024)
                    .setSessionTimeout(5_000)
                    .setInsertJSESSIONID(false);
            Router router = Router.router(vertx);
            // SockJS's POST transports (xhr_send, jsonp_send) read the body a BodyHandler collected.
            router.post("/sockjs/*").handler(BodyHandler.create().setBodyLimit(PublishRequest.MAX_BODY));
            router.route("/sockjs/*").subRouter(SockJSHandler.create(vertx, sockJs).socketHandler(this::onSocket));
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
                reply(socket, "error", null, "not JSON");
                return;
            }
            String op = request == null ? "" : request.path("op").asText("");
            String channel = request == null ? "" : request.path("channel").asText("");
            if (!channel.startsWith("/")) {
                reply(socket, "error", null, "'channel' must start with '/'");
            } else if (op.equals("subscribe")) {
                if (partition.subscribe(socket, channel)) {
                    reply(socket, "subscribed", channel, null);
                } else {
                    reply(socket, "error", channel, "too many channels");
                }
            } else if (op.equals("unsubscribe")) {
                partition.unsubscribe(socket, channel);
                reply(socket, "unsubscribed", channel, null);
            } else {
                reply(socket, "error", channel, "unknown op");
            }
        }

        private static void reply(SockJSSocket socket, String op, String channel, String reason) {
            var reply = JSON.createObjectNode().put("op", op);
            if (channel != null) {
                reply.put("channel", channel);
            }
            if (reason != null) {
                reply.put("reason", reason);
            }
            socket.write(reply.toString());
        }

        private void onPublish(RoutingContext ctx) {
            PublishRequest request;
            try {
                request = PublishRequest.parse(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            } catch (IllegalArgumentException e) {
                ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end(JSON.createObjectNode().put("error", e.getMessage()).toString());
                return;
            }
            channels.publish(request.channel(), Buffer.buffer(request.toMessageJson()));
            ctx.json(new io.vertx.core.json.JsonObject().put("ok", true));
        }
    }
}
