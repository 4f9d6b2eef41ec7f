package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.ChannelPattern;
import dev.halley.core.CloseReason;
import dev.halley.core.ReplyError;
import dev.halley.server.ChannelPolicy;
import dev.halley.server.ConfigKey;
import dev.halley.server.Metrics;
import dev.halley.server.testing.HalleyServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bayeux sessions are bounded: how many live at once ({@code bayeux-max-sessions}), how much waits
 * for one ({@code outbound-max-messages}, unacknowledged messages included), and what the channel
 * policy allows. Each bound has a named outcome, counted in {@code /metrics}, that touches nobody else.
 */
@Timeout(30)
class BayeuxLimitsTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.OUTBOUND_MAX_MESSAGES, "5").with(ConfigKey.BAYEUX_MAX_SESSIONS, "3")
            .withPolicy(new ChannelPolicy(List.of(new ChannelPolicy.Rule(ChannelPattern.parse("/readonly/**"), true, false)))));

    private static Metrics metrics() {
        return server.server().metrics();
    }

    private static long slowSessions() {
        return metrics().sessionsEnded(BayeuxSessions.PROTOCOL, SessionEnd.SLOW.code());
    }

    @Test
    void aSessionThatLetsMoreWaitThanItsBoundEndsAsSlow() throws Exception {
        long slow = slowSessions();
        long slowCloses = metrics().closeCount(CloseReason.SLOW);
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        browser.subscribe(id, "/limits/flood");
        RawBayeux bystander = new RawBayeux(server);
        String other = bystander.handshake();
        bystander.subscribe(other, "/limits/calm");
        for (int i = 0; i < 10; i++) {
            server.publish("/limits/flood", Integer.toString(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> slowSessions() == slow + 1);
        assertThat(metrics().closeCount(CloseReason.SLOW)).isEqualTo(slowCloses + 1);
        assertThat(browser.connect(id, 0, null).on("/meta/connect").get("error").asText()).isEqualTo("402::session_unknown");

        server.publish("/limits/calm", "\"fine\"");
        assertThat(bystander.connect(other, 0, null).json().get(0).get("data").asText()).as("others go on").isEqualTo("fine");
        disconnect(bystander, other);
    }

    @Test
    void unacknowledgedMessagesCountAgainstTheBound() throws Exception {
        long slow = slowSessions();
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake("{\"ack\":true}");
        browser.subscribe(id, "/limits/unacked");
        browser.connect(id, 0, "{\"ack\":0}");
        for (int i = 0; i < 3; i++) {
            server.publish("/limits/unacked", Integer.toString(i));
        }
        assertThat(browser.connect(id, 0, "{\"ack\":0}").json()).hasSize(4);
        for (int i = 3; i < 6; i++) {
            server.publish("/limits/unacked", Integer.toString(i));
        }
        // Never acknowledged: six messages would be owed, over the bound of five.
        JsonNode reply = browser.connect(id, 0, "{\"ack\":0}").on("/meta/connect");
        assertThat(reply.get("error").asText()).isEqualTo("402::session_unknown");
        assertThat(slowSessions()).isEqualTo(slow + 1);
    }

    @Test
    void handshakesOverMaxSessionsAreRefusedUntilOneEnds() throws Exception {
        long unavailable = metrics().errorCount(ReplyError.UNAVAILABLE);
        RawBayeux browser = new RawBayeux(server);
        List<String> opened = new ArrayList<>();
        JsonNode refused = null;
        for (int i = 0; i < 4 && refused == null; i++) {
            JsonNode reply = browser.post("/cometd", "[{\"channel\":\"/meta/handshake\",\"supportedConnectionTypes\":[\"long-polling\"]}]")
                    .on("/meta/handshake");
            if (reply.get("successful").asBoolean()) {
                opened.add(reply.get("clientId").asText());
            } else {
                refused = reply;
            }
        }
        assertThat(refused).as("a handshake over bayeux-max-sessions").isNotNull();
        assertThat(opened).hasSizeLessThanOrEqualTo(3);
        assertThat(refused.get("error").asText()).isEqualTo("503::too_many_sessions");
        assertThat(refused.get("advice").get("reconnect").asText()).isEqualTo("handshake");
        assertThat(refused.get("advice").get("interval").asLong()).isPositive();
        assertThat(metrics().errorCount(ReplyError.UNAVAILABLE)).isEqualTo(unavailable + 1);

        disconnect(browser, opened.get(0));
        String again = browser.handshake();
        opened.set(0, again);
        for (String id : opened) {
            disconnect(browser, id);
        }
    }

    @Test
    void theChannelPolicyBindsBayeuxClients() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        assertThat(browser.subscribe(id, "/readonly/news").on("/meta/subscribe").get("successful").asBoolean()).isTrue();
        JsonNode reply = browser.post("/cometd", "[{\"channel\":\"/readonly/news\",\"data\":1,\"clientId\":\"" + id + "\"}]").json().get(0);
        assertThat(reply.get("error").asText()).isEqualTo("403::publish_denied");
        disconnect(browser, id);
    }

    private static void disconnect(RawBayeux browser, String id) throws Exception {
        browser.post("/cometd", "[{\"channel\":\"/meta/disconnect\",\"clientId\":\"" + id + "\"}]");
    }
}
