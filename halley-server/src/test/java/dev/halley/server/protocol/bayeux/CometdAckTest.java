package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.protocol.bayeux.CometdClients.Transport;
import dev.halley.server.testing.DroppingProxy;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cometd.bayeux.Message;
import org.cometd.client.BayeuxClient;
import org.cometd.client.ext.AckExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code ack} extension with CometD's Java client: the answer that carried a message is lost
 * on the way (a proxy cuts the connection as that answer passes), and the message still arrives,
 * sent again with the next {@code /meta/connect} answer because the client never acknowledged its
 * batch. Without the extension the same loss is final: that is the at-least-once the extension buys.
 */
@Timeout(30)
class CometdAckTest {
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

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aMessageLostWithItsConnectionIsDeliveredAgain(Transport transport) throws Exception {
        List<Object> got = lose(transport, true, "/ack/" + transport + "/on");
        assertThat(got).containsSubsequence("m1", "m2", "m3");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void withoutTheExtensionTheLossIsFinal(Transport transport) throws Exception {
        List<Object> got = lose(transport, false, "/ack/" + transport + "/off");
        assertThat(got).containsExactly("m1", "m3");
    }

    /** Publishes m1, m2 (whose answer is lost in transit) and m3; returns what the client received, m3 last. */
    private static List<Object> lose(Transport transport, boolean ack, String channel) throws Exception {
        try (DroppingProxy proxy = new DroppingProxy(server.port())) {
            BayeuxClient client = cometd.client("http://127.0.0.1:" + proxy.port() + "/cometd", transport);
            if (ack) {
                client.addExtension(new AckExtension());
            }
            client.handshake();
            assertThat(client.waitFor(5_000, BayeuxClient.State.CONNECTED)).isTrue();
            LinkedBlockingQueue<Message> received = new LinkedBlockingQueue<>();
            CompletableFuture<Message> subscribed = new CompletableFuture<>();
            client.getChannel(channel).subscribe((c, m) -> received.add(m), subscribed::complete);
            assertThat(subscribed.get(5, TimeUnit.SECONDS).isSuccessful()).isTrue();

            List<Object> got = new ArrayList<>();
            server.publish(channel, "\"m1\"");
            got.add(received.poll(5, TimeUnit.SECONDS).getData());

            proxy.dropNext("\"m2\"");
            server.publish(channel, "\"m2\"");
            assertThat(proxy.awaitDropped(5, TimeUnit.SECONDS)).as("the answer carrying m2 was cut").isTrue();
            // The client reconnects (a new connection through the proxy) with the same session.
            assertThat(client.waitFor(10_000, BayeuxClient.State.CONNECTED)).isTrue();

            server.publish(channel, "\"m3\"");
            Message m;
            do {
                m = received.poll(10, TimeUnit.SECONDS);
                assertThat(m).as("m3 within 10 s").isNotNull();
                got.add(m.getData());
            } while (!"m3".equals(m.getData()));
            client.disconnect(1000);
            return got;
        }
    }
}
