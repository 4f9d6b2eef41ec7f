package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.server.ConfigKey;
import dev.halley.server.protocol.bayeux.CometdClients.Transport;
import dev.halley.server.testing.HalleyServerExtension;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cometd.bayeux.Channel;
import org.cometd.bayeux.Message;
import org.cometd.bayeux.client.ClientSessionChannel;
import org.cometd.client.BayeuxClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A restart loses every Bayeux session. CometD's Java client, told so ({@code 402::session_unknown},
 * {@code reconnect: handshake}; or, during the shutdown itself, {@code 503::shutting_down}),
 * handshakes again with the new server on the same address, and a client that subscribes in its
 * handshake listener (as CometD's documentation advises) receives again.
 */
@Timeout(40)
class CometdRestartTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.LONGPOLL_TIMEOUT, "2s").with(ConfigKey.SHUTDOWN_GRACE, "1s"));

    private static CometdClients cometd;

    @BeforeAll
    static void clients() throws Exception {
        cometd = new CometdClients();
    }

    @AfterAll
    static void closeClients() throws Exception {
        cometd.close();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theClientHandshakesAgainAfterARestartAndReceives(Transport transport) throws Exception {
        String channel = "/restart/" + transport;
        BayeuxClient client = cometd.client(server.uri("/cometd").toString(), transport);
        LinkedBlockingQueue<Message> received = new LinkedBlockingQueue<>();
        AtomicInteger subscribed = new AtomicInteger();
        client.getChannel(Channel.META_HANDSHAKE).addListener((ClientSessionChannel.MessageListener) (c, m) -> {
            if (m.isSuccessful()) {
                client.getChannel(channel).subscribe((ch, msg) -> received.add(msg), reply -> {
                    if (reply.isSuccessful()) {
                        subscribed.incrementAndGet();
                    }
                });
            }
        });
        client.handshake();
        await().atMost(Duration.ofSeconds(5)).until(() -> subscribed.get() == 1);
        server.publish(channel, "\"before\"");
        assertThat(received.poll(5, TimeUnit.SECONDS).getData()).isEqualTo("before");
        String firstSession = client.getId();

        server.restart();

        await().atMost(Duration.ofSeconds(20)).until(() -> subscribed.get() == 2 && client.isConnected());
        assertThat(client.getId()).as("a new session").isNotEqualTo(firstSession);
        server.publish(channel, "\"after\"");
        Message m = received.poll(5, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.getData()).isEqualTo("after");
        client.disconnect(1000);
    }
}
