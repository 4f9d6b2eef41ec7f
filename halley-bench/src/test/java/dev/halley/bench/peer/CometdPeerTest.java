package dev.halley.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.WebSocketContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cometd.bayeux.Message;
import org.cometd.client.BayeuxClient;
import org.cometd.client.http.jetty.JettyHttpClientTransport;
import org.cometd.client.transport.ClientTransport;
import org.cometd.client.websocket.jakarta.WebSocketTransport;
import org.cometd.common.JacksonJSONContextClient;
import org.eclipse.jetty.ee11.websocket.jakarta.client.JakartaWebSocketClientContainerProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The CometD peer, driven by CometD's own Java client over both of its transports. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CometdPeerTest {

    private static CometdPeer peer;
    private static org.eclipse.jetty.client.HttpClient jettyClient;
    private static WebSocketContainer wsContainer;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    enum Transport { LONG_POLLING, WEBSOCKET }

    @BeforeAll
    static void start() throws Exception {
        peer = CometdPeer.start(PeerFlags.ephemeral().with("max-threads", "64"));
        jettyClient = new org.eclipse.jetty.client.HttpClient();
        jettyClient.start();
        wsContainer = JakartaWebSocketClientContainerProvider.getContainer(jettyClient);
    }

    @AfterAll
    static void stop() throws Exception {
        if (wsContainer != null) {
            JakartaWebSocketClientContainerProvider.stop(wsContainer);
        }
        if (jettyClient != null) {
            jettyClient.stop();
        }
        if (peer != null) {
            peer.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void publishedMessageReachesSubscriber(Transport transport) throws Exception {
        BayeuxClient client = new BayeuxClient(cometdUrl(), clientTransport(transport));
        try {
            client.handshake((Map<String, Object>) null);
            assertThat(client.waitFor(5_000, BayeuxClient.State.CONNECTED)).as("connected").isTrue();
            assertThat(client.getTransport().getName()).isEqualTo(transport == Transport.WEBSOCKET ? "websocket" : "long-polling");

            LinkedBlockingQueue<Message> received = new LinkedBlockingQueue<>();
            CompletableFuture<Message> subscribed = new CompletableFuture<>();
            client.getChannel("/bench/x").subscribe((channel, message) -> received.add(message), subscribed::complete);
            assertThat(subscribed.get(5, TimeUnit.SECONDS).isSuccessful()).as("subscribe reply").isTrue();

            HttpResponse<String> reply = publish("{\"channel\":\"/bench/x\",\"data\":{\"n\":7,\"t\":\"" + transport + "\"}}");
            assertThat(reply.statusCode()).isEqualTo(200);

            Message message = received.poll(5, TimeUnit.SECONDS);
            assertThat(message).as("delivered within 5 s").isNotNull();
            assertThat(message.getChannel()).isEqualTo("/bench/x");
            assertThat(message.getDataAsMap()).isEqualTo(Map.of("n", 7, "t", transport.name()));
        } finally {
            client.disconnect(1_000);
        }
    }

    @Test
    void badPublishIsRejected() throws Exception {
        assertThat(publish("{\"data\":1}").statusCode()).isEqualTo(400);
        assertThat(publish("not json").statusCode()).isEqualTo(400);
    }

    @Test
    void healthz() throws Exception {
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(base().resolve("/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).isEqualTo(200);
    }

    @Test
    void readyLineNamesTheBoundAddress() {
        assertThat(PeerMain.readyLine(peer.address())).isEqualTo("listening on 127.0.0.1:" + peer.address().getPort());
    }

    private ClientTransport clientTransport(Transport transport) {
        return switch (transport) {
            case LONG_POLLING -> new JettyHttpClientTransport(jacksonOptions(), jettyClient);
            case WEBSOCKET -> new WebSocketTransport(jacksonOptions(), null, wsContainer);
        };
    }

    /** Jackson on the client too, as on the peer (the client's default needs jetty-util-ajax). */
    private static Map<String, Object> jacksonOptions() {
        Map<String, Object> options = new HashMap<>();
        options.put(ClientTransport.JSON_CONTEXT_OPTION, new JacksonJSONContextClient());
        return options;
    }

    private static HttpResponse<String> publish(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base().resolve("/publish"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cometdUrl() {
        return base().resolve("/cometd").toString();
    }

    private static URI base() {
        return URI.create("http://127.0.0.1:" + peer.address().getPort());
    }
}
