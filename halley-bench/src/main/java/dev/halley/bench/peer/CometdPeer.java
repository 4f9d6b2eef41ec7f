package dev.halley.bench.peer;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cometd.bayeux.Promise;
import org.cometd.bayeux.server.BayeuxServer;
import org.cometd.bayeux.server.LocalSession;
import org.cometd.bayeux.server.ServerChannel;
import org.cometd.server.AbstractServerTransport;
import org.cometd.server.BayeuxServerImpl;
import org.cometd.server.JacksonJSONContextServer;
import org.cometd.server.http.JSONHttpTransport;
import org.cometd.server.http.jakarta.CometDServlet;
import org.cometd.server.websocket.common.AbstractWebSocketTransport;
import org.cometd.server.websocket.jetty.JettyWebSocketTransport;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * CometD 9 on Jetty 12: Bayeux at {@code /cometd} over {@code websocket} and {@code long-polling},
 * set up the way CometD's own benchmark server is (cometd-java-benchmark-server, and the
 * "Benchmarking CometD" chapter of the CometD reference), plus {@code POST /publish} and
 * {@code GET /healthz}.
 *
 * <pre>java -cp halley-bench/target/halley-bench.jar dev.halley.bench.peer.CometdPeer --port 18081</pre>
 *
 * <p>Flags besides {@code --host}/{@code --port}: {@code --max-threads} (Jetty and CometD pools,
 * default 2048: the reference's figure for 10k+ users), {@code --selectors} (default: cores),
 * {@code --timeout-ms} (the {@code /meta/connect} hold, default 30000 like Halley's
 * {@code longpoll-timeout}), {@code --max-ws-message} (default 65536 like Halley's {@code max-ws-message}).
 *
 * <p>Publishing injects through a server-side {@link LocalSession}, so a message takes CometD's own
 * publish path (extensions, authorizers, per-session queues), as a message from a remote client does
 * minus the parsing.
 */
public final class CometdPeer implements Peer {

    static final Set<String> OPTIONS = Set.of("max-threads", "selectors", "timeout-ms", "max-ws-message");

    /** The CometD benchmark's allowance for network delay; the server's timeouts are multiples of it. */
    private static final long MAX_NETWORK_DELAY_MS = 5_000;
    private static final String COMETD_MAPPING = "/cometd/*";

    private final Server server;
    private final ServerConnector connector;
    private final BayeuxServerImpl bayeux;

    private CometdPeer(Server server, ServerConnector connector, BayeuxServerImpl bayeux) {
        this.server = server;
        this.connector = connector;
        this.bayeux = bayeux;
    }

    public static void main(String[] args) {
        PeerMain.run("cometd-peer", args, OPTIONS, CometdPeer::start);
    }

    /** Starts the peer; it is listening when this returns. */
    public static CometdPeer start(PeerFlags flags) throws Exception {
        int maxThreads = flags.intOption("max-threads", 2048);
        long timeoutMs = flags.intOption("timeout-ms", 30_000);

        Server server = new Server(threadPool("cometd-peer-jetty", maxThreads));
        ServerConnector connector = connector(server, flags, timeoutMs);
        server.addConnector(connector);

        // CometD's benchmark gives the Bayeux server its own pool; it only runs tasks, so no reserved threads.
        QueuedThreadPool bayeuxThreads = threadPool("cometd-peer-bayeux", maxThreads);
        bayeuxThreads.setReservedThreads(0);
        server.addBean(bayeuxThreads);

        ServletContextHandler context = new ServletContextHandler("/");
        server.setHandler(context);
        // JettyWebSocketTransport finds its container through the context; the upgrade handler must
        // sit in front of the servlets so upgrades to /cometd never reach CometDServlet.
        context.insertHandler(WebSocketUpgradeHandler.from(server, context));

        BayeuxServerImpl bayeux = bayeux(context, bayeuxThreads, timeoutMs, flags.intOption("max-ws-message", 65_536));
        context.setAttribute(BayeuxServer.ATTRIBUTE, bayeux);

        ServletHolder cometd = new ServletHolder(CometDServlet.class);
        cometd.setInitOrder(1);
        context.addServlet(cometd, COMETD_MAPPING);
        ServletHolder publish = new ServletHolder(new PublishServlet(bayeux));
        publish.setInitOrder(2);
        context.addServlet(publish, "/publish");
        context.addServlet(new ServletHolder(new HealthServlet()), "/healthz");

        server.setStopTimeout(5_000);
        server.start();
        return new CometdPeer(server, connector, bayeux);
    }

    private static QueuedThreadPool threadPool(String name, int maxThreads) {
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads);
        pool.setName(name);
        return pool;
    }

    private static ServerConnector connector(Server server, PeerFlags flags, long timeoutMs) {
        HttpConfiguration http = new HttpConfiguration();
        // As CometD's benchmark server: dispatch a POST only once its body is there.
        http.setDelayDispatchUntilContent(true);
        http.setSendServerVersion(false);
        int selectors = flags.intOption("selectors", Runtime.getRuntime().availableProcessors());
        ServerConnector connector = new ServerConnector(server, 1, selectors, new HttpConnectionFactory(http));
        connector.setHost(flags.host());
        connector.setPort(flags.port());
        connector.setAcceptQueueSize(2048);
        // A held /meta/connect must never be cut by the connector: the client ends idle connections.
        connector.setIdleTimeout(timeoutMs + 10 * MAX_NETWORK_DELAY_MS);
        return connector;
    }

    private static BayeuxServerImpl bayeux(ServletContextHandler context, QueuedThreadPool threads,
                                           long timeoutMs, int maxWsMessage) {
        BayeuxServerImpl bayeux = new BayeuxServerImpl();
        bayeux.setExecutor(threads);
        bayeux.setOption(AbstractServerTransport.TIMEOUT_OPTION, String.valueOf(timeoutMs));
        // Clients re-issue /meta/connect at once, as Halley's long-poll clients re-poll at once.
        bayeux.setOption(AbstractServerTransport.INTERVAL_OPTION, "0");
        // Several times the client's allowance, so it is the client, never the server, that expires a session.
        bayeux.setOption(AbstractServerTransport.MAX_INTERVAL_OPTION, String.valueOf(10 * MAX_NETWORK_DELAY_MS));
        bayeux.setOption(AbstractServerTransport.JSON_CONTEXT_OPTION, JacksonJSONContextServer.class.getName());
        bayeux.setOption("ws." + AbstractWebSocketTransport.COMETD_URL_MAPPING_OPTION, COMETD_MAPPING);
        bayeux.setOption("ws." + AbstractServerTransport.MAX_MESSAGE_SIZE_OPTION, String.valueOf(maxWsMessage));
        // As the connector's idle timeout: left at the WebSocket container's default (30 s), a quiet
        // connection was closed about when its held /meta/connect (timeout 30 s) was answered.
        bayeux.setOption("ws." + AbstractWebSocketTransport.IDLE_TIMEOUT_OPTION, String.valueOf(timeoutMs + 10 * MAX_NETWORK_DELAY_MS));
        // Off in CometD's benchmark by default, and Halley does not compress either.
        bayeux.setOption("ws." + AbstractWebSocketTransport.ENABLE_EXTENSION_PREFIX_OPTION + "permessage-deflate", "false");
        bayeux.setOption(Context.class.getName(), context.getContext());
        bayeux.setTransports(new JettyWebSocketTransport(bayeux), new JSONHttpTransport(bayeux));
        bayeux.setAllowedTransports("websocket", "long-polling");
        return bayeux;
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    /** The Bayeux server (tests count its sessions). */
    BayeuxServer bayeux() {
        return bayeux;
    }

    @Override
    public void close() {
        try {
            // Ends every session first: a /meta/connect still held would keep Jetty's graceful stop
            // waiting for its whole timeout even when the client's connection is gone.
            bayeux.getSessions().forEach(org.cometd.bayeux.server.ServerSession::disconnect);
            server.stop();
            if (bayeux.isRunning()) {
                bayeux.stop();
            }
        } catch (Exception e) {
            throw new IllegalStateException("CometD peer did not stop cleanly", e);
        }
    }

    @Override
    public String toString() {
        return "CometdPeer[" + server.getState() + ", " + address() + ", sessions=" + bayeux.getSessions().size() + "]";
    }

    /**
     * {@code POST /publish}: publishes {@code data} on {@code channel} from a server-side session;
     * a JSON array of such messages (the bench's {@code --batches}) is published in order.
     */
    private static final class PublishServlet extends HttpServlet {
        private final transient BayeuxServerImpl bayeux;
        private transient LocalSession publisher;

        PublishServlet(BayeuxServerImpl bayeux) {
            this.bayeux = bayeux;
        }

        @Override
        public void init() {
            // CometDServlet (init order 1) has started the Bayeux server by now.
            publisher = bayeux.newLocalSession("bench-publisher");
            publisher.handshake();
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            List<PublishRequest> batch;
            List<ServerChannel> channels;
            try {
                batch = PublishRequest.parseAll(req.getInputStream().readNBytes(PublishRequest.MAX_BODY + 1));
                channels = batch.stream().map(r -> bayeux.createChannelIfAbsent(r.channel()).getReference()).toList();
            } catch (IllegalArgumentException e) {
                reply(resp, 400, "{\"error\":\"" + e.getMessage().replace("\"", "'") + "\"}");
                return;
            }
            try {
                // In order, each after the previous one: a batch keeps its order, as Halley's does.
                for (int i = 0; i < batch.size(); i++) {
                    Promise.Completable<Boolean> published = new Promise.Completable<>();
                    channels.get(i).publish(publisher, batch.get(i).dataAsJava(), published);
                    // Local publishing completes inline; the bound only guards against a surprise.
                    published.get(5, TimeUnit.SECONDS);
                }
                reply(resp, 200, "{\"ok\":true}");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(resp, 503, "{\"error\":\"stopping\"}");
            } catch (Exception e) {
                reply(resp, 500, "{\"error\":\"publish failed\"}");
            }
        }
    }

    /** {@code GET /healthz}: 200 while the server runs. */
    private static final class HealthServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            reply(resp, 200, "{\"ok\":true}");
        }
    }

    private static void reply(HttpServletResponse resp, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
