package dev.halley.browser.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.browser.BrowserPage;
import dev.halley.browser.Chromium;
import dev.halley.browser.Profile;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.DroppingProxy;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CometD's JavaScript client (npm {@code cometd} 8.x) in headless Chromium against Halley's
 * {@code /cometd}, one test body over each of its transports: what a CometD user's web page
 * does, with messages crossing between Bayeux and Halley's other doors.
 */
@Timeout(120)
class CometdJsClientTest {
    @RegisterExtension
    static final HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.LONGPOLL_TIMEOUT, "5s").with(ConfigKey.SHUTDOWN_GRACE, "1s"), CometdPage.ROUTES);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private static CometdPage open(URI pageUrl, String transport, String channel, boolean ack) {
        CometdPage p = CometdPage.start(chromium.open(pageUrl), transport, channel, ack);
        p.awaitSubscribed(1);
        assertThat(p.transportType()).isEqualTo(transport);
        return p;
    }

    private static CometdPage open(String transport, String channel) {
        return open(server.uri("/test/blank.html"), transport, channel, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-polling", "callback-polling", "websocket"})
    void receivesWhatTheApiAndNativeClientsPublish(String transport) throws Exception {
        String channel = "/js/" + transport + "/in";
        CometdPage p = open(transport, channel);
        try {
            server.publish(channel, "{\"from\":\"api\"}");
            p.awaitReceived(1);
            try (WsClient nativeClient = WsClient.connect(server)) {
                nativeClient.send("{\"op\":\"publish\",\"channel\":\"" + channel + "\",\"data\":{\"from\":\"native\"},\"id\":1}");
                assertThat(nativeClient.nextJson().get("ok").asBoolean()).isTrue();
            }
            p.awaitReceived(2);
            assertThat(p.page().eval("got.map(d => d.from)")).extracting(JsonNode::asText).containsExactly("api", "native");
        } finally {
            p.page().close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-polling", "callback-polling", "websocket"})
    void publishesReachNativeSubscribersAndThePageItself(String transport) throws Exception {
        String channel = "/js/" + transport + "/out";
        CometdPage p = open(transport, channel);
        try (WsClient nativeClient = WsClient.connect(server)) {
            nativeClient.send("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1}");
            assertThat(nativeClient.nextJson().get("ok").asBoolean()).isTrue();
            p.page().eval("cometd.publish('" + channel + "', {text: 'from js'}, r => window.published = r.successful); true");
            JsonNode m = nativeClient.nextJson();
            assertThat(m.get("data").get("text").asText()).isEqualTo("from js");
            p.awaitReceived(1);
            p.page().waitFor("window.published === true", CometdPage.DEADLINE);
        } finally {
            p.page().close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-polling", "callback-polling", "websocket"})
    void unsubscribeStopsDeliveryAndDisconnectEndsTheSession(String transport) throws Exception {
        String channel = "/js/" + transport + "/unsub";
        CometdPage p = open(transport, channel);
        BrowserPage page = p.page();
        try {
            assertThat(page.eval("new Promise(res => cometd.unsubscribe(window.subscription, r => res(r.successful)))").asBoolean()).isTrue();
            String marker = channel + "/marker";
            assertThat(page.eval("new Promise(res => cometd.subscribe('" + marker + "', m => window.marker = m.data,"
                    + " r => res(r.successful)))").asBoolean()).isTrue();
            server.publish(channel, "1");
            server.publish(marker, "2");
            page.waitFor("window.marker === 2", CometdPage.DEADLINE);
            assertThat(page.eval("got.length").asInt()).as("nothing after the unsubscribe").isZero();

            long ended = server.server().metrics().sessionsEnded("bayeux", "disconnected");
            assertThat(page.eval("new Promise(res => cometd.disconnect(r => res(r.successful)))").asBoolean()).isTrue();
            page.waitFor("cometd.getStatus() === 'disconnected'", CometdPage.DEADLINE);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().metrics().sessionsEnded("bayeux", "disconnected") == ended + 1);
        } finally {
            page.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-polling", "callback-polling", "websocket"})
    void handshakesAgainAfterAServerRestartAndReceives(String transport) throws Exception {
        String channel = "/js/" + transport + "/restart";
        CometdPage p = open(transport, channel);
        try {
            String firstSession = p.page().eval("cometd.getClientId()").asText();
            server.restart();
            p.awaitSubscribed(2);
            assertThat(p.page().eval("cometd.getClientId()").asText()).as("a new session").isNotEqualTo(firstSession);
            server.publish(channel, "\"after\"");
            p.awaitReceived(1);
            assertThat(p.page().eval("got[0]").asText()).isEqualTo("after");
        } finally {
            p.page().close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-polling", "callback-polling", "websocket"})
    void theAckExtensionDeliversAgainWhatADroppedConnectionLost(String transport) throws Exception {
        String channel = "/js/" + transport + "/ack";
        try (DroppingProxy proxy = new DroppingProxy(server.port())) {
            CometdPage p = open(URI.create("http://127.0.0.1:" + proxy.port() + "/test/blank.html"), transport, channel, true);
            try {
                server.publish(channel, "\"m1\"");
                p.awaitReceived(1);
                proxy.dropNext("\"m2\"");
                server.publish(channel, "\"m2\"");
                assertThat(proxy.awaitDropped(5, TimeUnit.SECONDS)).as("the answer carrying m2 was cut").isTrue();
                p.page().waitFor("got.includes('m2')", CometdPage.DEADLINE);
                server.publish(channel, "\"m3\"");
                p.page().waitFor("got.includes('m3')", CometdPage.DEADLINE);
                List<String> got = new ArrayList<>();
                p.page().eval("got").forEach(n -> got.add(n.asText()));
                assertThat(got).containsSubsequence("m1", "m2", "m3");
            } finally {
                p.page().close();
            }
        }
    }

    @Test
    void theTimesyncExtensionLearnsTheServerClock() {
        CometdPage p = CometdPage.start(chromium.open(server.uri("/test/blank.html")), "long-polling", "/js/timesync", "timesync");
        try {
            p.awaitSubscribed(1);
            p.page().waitFor("connects.some(c => c.ext && c.ext.timesync && typeof c.ext.timesync.ts === 'number')", CometdPage.DEADLINE);
            // Same machine: the server's clock as the extension estimates it is the page's, give or take.
            assertThat(p.page().eval("Math.abs(cometd.getExtension('timesync').getServerTime() - Date.now())").asLong()).isLessThan(2_000);
        } finally {
            p.page().close();
        }
    }

    @Test
    void twoTabsOfOneBrowserShareItsConnectionsOneHoldsTheOtherPolls() throws Exception {
        String channel = "/js/tabs";
        Profile browser = chromium.newProfile();
        try {
            CometdPage tab1 = CometdPage.start(browser.open(server.uri("/test/blank.html")), "long-polling", channel, false);
            tab1.awaitSubscribed(1);
            CometdPage tab2 = CometdPage.start(browser.open(server.uri("/test/blank.html")), "long-polling", channel, false);
            tab2.awaitSubscribed(1);
            String multiple = "connects.some(c => c.advice && c.advice['multiple-clients'] === true)";
            tab2.page().waitFor(multiple, CometdPage.DEADLINE);
            assertThat(tab2.page().eval("connects.filter(c => c.advice && c.advice['multiple-clients']).every(c => c.advice.interval === 2000)")
                    .asBoolean()).isTrue();
            assertThat(tab1.page().eval(multiple).asBoolean()).as("the first tab holds its long-poll").isFalse();

            server.publish(channel, "\"to both\"");
            tab1.awaitReceived(1);
            tab2.awaitReceived(1);
            assertThat(tab2.page().eval("got[0]").asText()).isEqualTo("to both");
        } finally {
            browser.close();
        }
    }
}
