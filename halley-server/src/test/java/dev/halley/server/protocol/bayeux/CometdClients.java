package dev.halley.server.protocol.bayeux;

import jakarta.websocket.WebSocketContainer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cometd.client.BayeuxClient;
import org.cometd.client.http.jetty.JettyHttpClientTransport;
import org.cometd.client.transport.ClientTransport;
import org.cometd.client.websocket.jakarta.WebSocketTransport;
import org.cometd.common.JacksonJSONContextClient;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee11.websocket.jakarta.client.JakartaWebSocketClientContainerProvider;
import org.eclipse.jetty.http.HttpCookieStore;

/**
 * CometD's own Java client (from Maven Central) against a Halley server: one Jetty HTTP client
 * and one WebSocket container shared by the {@link BayeuxClient}s a test makes. Each BayeuxClient
 * keeps its own cookies, so each is a browser of its own unless a test shares the cookie.
 */
final class CometdClients implements AutoCloseable {
    /** The two transports of CometD's Java client. */
    enum Transport { LONG_POLLING, WEBSOCKET }

    private final HttpClient http = new HttpClient();
    private final WebSocketContainer webSockets;
    private final List<BayeuxClient> clients = new ArrayList<>();

    CometdClients() throws Exception {
        // Cookies live in each BayeuxClient; a jar shared by all would make them one browser.
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.start();
        webSockets = JakartaWebSocketClientContainerProvider.getContainer(http);
    }

    /** A client of {@code url} over {@code transport} only; disconnected by {@link #close()}. */
    BayeuxClient client(String url, Transport transport) {
        BayeuxClient c = new BayeuxClient(url, transport(transport));
        // Retry soon after a failure (a dropped connection, a restart), not after CometD's default seconds.
        c.setBackOffStrategy(new BayeuxClient.BackOffStrategy.Linear(200, 1000));
        clients.add(c);
        return c;
    }

    ClientTransport transport(Transport transport) {
        Map<String, Object> options = new HashMap<>();
        // Jackson, as on the server (the client's default JSON needs jetty-util-ajax).
        options.put(ClientTransport.JSON_CONTEXT_OPTION, new JacksonJSONContextClient());
        return switch (transport) {
            case LONG_POLLING -> new JettyHttpClientTransport(options, http);
            case WEBSOCKET -> new WebSocketTransport(options, null, webSockets);
        };
    }

    @Override
    public void close() throws Exception {
        for (BayeuxClient c : clients) {
            if (!c.isDisconnected()) {
                c.disconnect(1000);
            }
        }
        JakartaWebSocketClientContainerProvider.stop(webSockets);
        http.stop();
    }
}
