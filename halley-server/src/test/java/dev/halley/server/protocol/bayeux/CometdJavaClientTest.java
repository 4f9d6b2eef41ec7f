package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.ConfigKey;
import dev.halley.server.protocol.bayeux.CometdClients.Transport;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cometd.bayeux.Channel;
import org.cometd.bayeux.Message;
import org.cometd.bayeux.client.ClientSessionChannel;
import org.cometd.client.BayeuxClient;
import org.cometd.client.ext.TimesyncClientExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CometD's Java client (9.x, from Maven Central) against Halley's {@code /cometd}, one test body
 * over both of its transports: what a CometD user's Java program does, and that a Bayeux channel
 * is the hub's channel of the same name for every other door.
 */
@Timeout(30)
class CometdJavaClientTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.LONGPOLL_TIMEOUT, "2s"));

    private static CometdClients cometd;

    @BeforeAll
    static void clients() throws Exception {
        cometd = new CometdClients();
    }

    @AfterAll
    static void closeClients() throws Exception {
        cometd.close();
    }

    private static BayeuxClient connected(Transport transport) {
        BayeuxClient client = cometd.client(server.uri("/cometd").toString(), transport);
        client.handshake();
        assertThat(client.waitFor(5_000, BayeuxClient.State.CONNECTED)).as("connected").isTrue();
        assertThat(client.getTransport().getName()).isEqualTo(transport == Transport.WEBSOCKET ? "websocket" : "long-polling");
        return client;
    }

    /** Subscribes and waits for the server's reply; messages land in the returned queue. */
    private static LinkedBlockingQueue<Message> subscribe(BayeuxClient client, String channel) throws Exception {
        LinkedBlockingQueue<Message> received = new LinkedBlockingQueue<>();
        CompletableFuture<Message> reply = new CompletableFuture<>();
        client.getChannel(channel).subscribe((c, m) -> received.add(m), reply::complete);
        assertThat(reply.get(5, TimeUnit.SECONDS).isSuccessful()).as("subscribe reply").isTrue();
        return received;
    }

    private static Message next(LinkedBlockingQueue<Message> queue) throws InterruptedException {
        Message m = queue.poll(5, TimeUnit.SECONDS);
        assertThat(m).as("a message within 5 s").isNotNull();
        return m;
    }

    private static Message publish(BayeuxClient client, String channel, Object data) throws Exception {
        CompletableFuture<Message> reply = new CompletableFuture<>();
        client.getChannel(channel).publish(data, reply::complete);
        return reply.get(5, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void receivesWhatTheApiPublishes(Transport transport) throws Exception {
        BayeuxClient client = connected(transport);
        String channel = "/java/" + transport + "/api";
        LinkedBlockingQueue<Message> received = subscribe(client, channel);

        server.publish(channel, "{\"text\":\"from the back end\"}");

        Message m = next(received);
        assertThat(m.getChannel()).isEqualTo(channel);
        assertThat(m.getDataAsMap()).isEqualTo(Map.of("text", "from the back end"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void publishesReachBayeuxAndNativeSubscribersAlike(Transport transport) throws Exception {
        BayeuxClient publisher = connected(transport);
        BayeuxClient subscriber = connected(transport);
        String channel = "/java/" + transport + "/chat";
        LinkedBlockingQueue<Message> own = subscribe(publisher, channel);
        LinkedBlockingQueue<Message> other = subscribe(subscriber, channel);
        try (WsClient nativeClient = WsClient.connect(server)) {
            nativeClient.send("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1}");
            assertThat(nativeClient.nextJson().get("ok").asBoolean()).isTrue();

            Message reply = publish(publisher, channel, Map.of("text", "hi"));
            assertThat(reply.isSuccessful()).isTrue();

            assertThat(next(other).getDataAsMap()).isEqualTo(Map.of("text", "hi"));
            assertThat(next(own).getDataAsMap()).as("a publisher subscribed to its channel hears itself").isEqualTo(Map.of("text", "hi"));
            JsonNode nativeMessage = nativeClient.nextJson();
            assertThat(nativeMessage.get("channel").asText()).isEqualTo(channel);
            assertThat(nativeMessage.get("data").get("text").asText()).isEqualTo("hi");
            assertThat(nativeMessage.get("offset").asLong()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void receivesWhatNativeClientsPublish(Transport transport) throws Exception {
        BayeuxClient client = connected(transport);
        String channel = "/java/" + transport + "/native";
        LinkedBlockingQueue<Message> received = subscribe(client, channel);
        try (WsClient nativeClient = WsClient.connect(server)) {
            nativeClient.send("{\"op\":\"publish\",\"channel\":\"" + channel + "\",\"data\":[1,2,3],\"id\":1}");
            assertThat(nativeClient.nextJson().get("ok").asBoolean()).isTrue();
        }
        assertThat(next(received).getData()).isEqualTo(java.util.List.of(1, 2, 3));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void wildcardSubscriptionsFollowBayeuxGlobbing(Transport transport) throws Exception {
        BayeuxClient client = connected(transport);
        String base = "/java/" + transport + "/glob";
        LinkedBlockingQueue<Message> oneSegment = subscribe(client, base + "/*");
        LinkedBlockingQueue<Message> anyDepth = subscribe(client, base + "/deep/**");

        server.publish(base + "/a/b", "\"too deep for /*\"");
        server.publish(base + "/a", "\"one segment\"");
        server.publish(base + "/deep/x/y", "\"any depth\"");

        assertThat(next(oneSegment).getData()).isEqualTo("one segment");
        assertThat(next(anyDepth).getData()).isEqualTo("any depth");
        assertThat(oneSegment).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aBatchGoesInOneRequestAndKeepsItsOrder(Transport transport) throws Exception {
        BayeuxClient client = connected(transport);
        String channel = "/java/" + transport + "/batch";
        LinkedBlockingQueue<Message> received = subscribe(client, channel);
        client.batch(() -> {
            for (int i = 1; i <= 5; i++) {
                client.getChannel(channel).publish(i);
            }
        });
        for (int i = 1; i <= 5; i++) {
            assertThat(next(received).getData()).isEqualTo(i);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void unsubscribeStopsDelivery(Transport transport) throws Exception {
        BayeuxClient client = connected(transport);
        String channel = "/java/" + transport + "/unsub";
        String marker = "/java/" + transport + "/marker";
        LinkedBlockingQueue<Message> received = subscribe(client, channel);
        LinkedBlockingQueue<Message> markers = subscribe(client, marker);
        server.publish(channel, "1");
        assertThat(next(received).getData()).isEqualTo(1);

        CompletableFuture<Message> reply = new CompletableFuture<>();
        client.getChannel(channel).unsubscribe(client.getChannel(channel).getSubscribers().get(0), reply::complete);
        assertThat(reply.get(5, TimeUnit.SECONDS).isSuccessful()).isTrue();

        server.publish(channel, "2");
        server.publish(marker, "\"after\"");
        assertThat(next(markers).getData()).isEqualTo("after");
        assertThat(received).as("nothing after the unsubscribe").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void serviceChannelsAreAnsweredAndNeverBroadcast(Transport transport) throws Exception {
        BayeuxClient client = connected(transport);
        BayeuxClient listener = connected(transport);
        LinkedBlockingQueue<Message> all = subscribe(listener, "/**");
        Message reply = publish(client, "/service/echo", Map.of("q", 1));
        assertThat(reply.isSuccessful()).isTrue();
        String marker = "/java/" + transport + "/service-marker";
        server.publish(marker, "true");
        Message first = next(all);
        while (!first.getChannel().equals(marker)) {
            assertThat(first.getChannel()).doesNotStartWith("/service/");
            first = next(all);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void refusalsComeBackAsUnsuccessfulReplies(Transport transport) throws Exception {
        BayeuxClient client = connected(transport);
        CompletableFuture<Message> meta = new CompletableFuture<>();
        client.getChannel("/meta/private").subscribe((c, m) -> { }, meta::complete);
        assertThat(meta.get(5, TimeUnit.SECONDS).isSuccessful()).isFalse();
        Message badChannel = publish(client, "/java/not valid!", 1);
        assertThat(badChannel.isSuccessful()).isFalse();
        assertThat(badChannel.get(Message.ERROR_FIELD)).isEqualTo("400::channel_invalid");
        assertThat(client.isConnected()).as("refusals touch nothing else").isTrue();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void disconnectEndsTheSessionOnTheServer(Transport transport) throws Exception {
        long ended = server.server().metrics().sessionsEnded(BayeuxSessions.PROTOCOL, SessionEnd.DISCONNECTED.code());
        BayeuxClient client = connected(transport);
        assertThat(client.disconnect(5_000)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() ->
                server.server().metrics().sessionsEnded(BayeuxSessions.PROTOCOL, SessionEnd.DISCONNECTED.code()) == ended + 1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void timesyncRepliesCarryTheServerClock(Transport transport) throws Exception {
        BayeuxClient client = cometd.client(server.uri("/cometd").toString(), transport);
        client.addExtension(new TimesyncClientExtension());
        LinkedBlockingQueue<Message> connects = new LinkedBlockingQueue<>();
        client.getChannel(Channel.META_CONNECT).addListener((ClientSessionChannel.MessageListener) (c, m) -> connects.add(m));
        client.handshake();
        Message connect = next(connects);
        @SuppressWarnings("unchecked")
        Map<String, Object> timesync = (Map<String, Object>) connect.getExt().get("timesync");
        assertThat(timesync).containsKeys("tc", "ts", "p", "a");
        long ts = ((Number) timesync.get("ts")).longValue();
        assertThat(Math.abs(ts - System.currentTimeMillis())).as("server time, same machine").isLessThan(5_000);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aHeldConnectReturnsAfterTheAdvisedTimeoutAndTheClientStaysConnected(Transport transport) throws Exception {
        BayeuxClient client = cometd.client(server.uri("/cometd").toString(), transport);
        LinkedBlockingQueue<Message> connects = new LinkedBlockingQueue<>();
        client.getChannel(Channel.META_CONNECT).addListener((ClientSessionChannel.MessageListener) (c, m) -> connects.add(m));
        client.handshake();
        Message first = next(connects);
        assertThat(((Number) first.getAdvice().get("timeout")).longValue()).isEqualTo(2000);
        assertThat(first.getAdvice().get("reconnect")).isEqualTo("retry");
        long start = System.nanoTime();
        Message held = connects.poll(10, TimeUnit.SECONDS);
        assertThat(held).isNotNull();
        assertThat(held.isSuccessful()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(5));
        assertThat(client.isConnected()).isTrue();
    }

}
