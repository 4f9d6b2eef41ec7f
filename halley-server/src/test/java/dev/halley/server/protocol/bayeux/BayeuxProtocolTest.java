package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.ReplyError;
import dev.halley.server.ConfigKey;
import dev.halley.server.protocol.bayeux.RawBayeux.Answer;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Bayeux wire by hand, where the exact messages matter: handshake and negotiation, advice,
 * {@code 402} and the browser binding, batching, held connects, the one long-poll per browser,
 * expiry, the extensions' fields, callback-polling, and bad input.
 */
@Timeout(30)
class BayeuxProtocolTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.LONGPOLL_TIMEOUT, "1s").with(ConfigKey.BAYEUX_MAX_INTERVAL, "1s"));

    private long errors(ReplyError e) {
        return server.server().metrics().errorCount(e);
    }

    @Test
    void handshakeNegotiatesTypesSetsTheBrowserCookieAndAdvises() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        Answer a = browser.post("/cometd/handshake", "[{\"id\":\"1\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                + "\"supportedConnectionTypes\":[\"flash\",\"callback-polling\",\"long-polling\"]}]");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("application/json");
        assertThat(a.setCookie()).matches("BAYEUX_BROWSER=[A-Za-z0-9_-]{22}; Path=/; HttpOnly");
        JsonNode reply = a.on("/meta/handshake");
        assertThat(reply.get("id").asText()).isEqualTo("1");
        assertThat(reply.get("successful").asBoolean()).isTrue();
        assertThat(reply.get("version").asText()).isEqualTo("1.0");
        assertThat(reply.get("clientId").asText()).matches("[A-Za-z0-9_-]{22}");
        assertThat(reply.get("supportedConnectionTypes")).extracting(JsonNode::asText)
                .containsExactly("long-polling", "callback-polling");
        JsonNode advice = reply.get("advice");
        assertThat(advice.get("reconnect").asText()).isEqualTo("retry");
        assertThat(advice.get("interval").asLong()).isZero();
        assertThat(advice.get("timeout").asLong()).isEqualTo(1000);
        assertThat(advice.get("maxInterval").asLong()).isEqualTo(1000);

        // A second tab of the same browser keeps the cookie it has: no new one.
        assertThat(browser.post("/cometd/handshake", "[{\"channel\":\"/meta/handshake\",\"supportedConnectionTypes\":[\"long-polling\"]}]")
                .setCookie()).isNull();
    }

    @Test
    void sessionIdsAreUniqueAndUnguessablyLong() throws Exception {
        Set<String> ids = new HashSet<>();
        RawBayeux browser = new RawBayeux(server);
        for (int i = 0; i < 20; i++) {
            ids.add(browser.handshake());
        }
        assertThat(ids).hasSize(20).allMatch(id -> id.length() == 22);
    }

    @Test
    void aClientWithoutACommonConnectionTypeIsRefused() throws Exception {
        Answer a = new RawBayeux(server).post("/cometd", "[{\"channel\":\"/meta/handshake\",\"supportedConnectionTypes\":[\"flash\"]}]");
        JsonNode reply = a.on("/meta/handshake");
        assertThat(reply.get("successful").asBoolean()).isFalse();
        assertThat(reply.get("error").asText()).isEqualTo("400::connection_type_unsupported");
    }

    @Test
    void anUnknownSessionIsToldToHandshakeAgain() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        browser.handshake();
        long before = errors(ReplyError.NOT_FOUND);
        JsonNode reply = browser.connect("no-such-session", 0, null).on("/meta/connect");
        assertThat(reply.get("successful").asBoolean()).isFalse();
        assertThat(reply.get("error").asText()).isEqualTo("402::session_unknown");
        assertThat(reply.get("advice").get("reconnect").asText()).isEqualTo("handshake");
        assertThat(errors(ReplyError.NOT_FOUND)).isEqualTo(before + 1);
    }

    @Test
    void aSessionIdFromAnotherBrowserIsRefusedAndTheSessionIsUntouched() throws Exception {
        RawBayeux owner = new RawBayeux(server);
        String id = owner.handshake();
        owner.subscribe(id, "/raw/bound");

        RawBayeux thief = new RawBayeux(server);
        thief.handshake(); // a cookie of its own
        RawBayeux noCookie = new RawBayeux(server);
        long forbidden = errors(ReplyError.FORBIDDEN);
        for (RawBayeux other : new RawBayeux[] {thief, noCookie}) {
            JsonNode reply = other.post("/cometd", "[{\"channel\":\"/raw/bound\",\"data\":\"forged\",\"clientId\":\"" + id + "\"},"
                    + "{\"channel\":\"/meta/disconnect\",\"clientId\":\"" + id + "\"}]").json();
            assertThat(reply.get(0).get("error").asText()).isEqualTo("402::session_unknown");
            assertThat(reply.get(1).get("error").asText()).isEqualTo("402::session_unknown");
        }
        assertThat(errors(ReplyError.FORBIDDEN)).isEqualTo(forbidden + 4);

        server.publish("/raw/bound", "\"real\"");
        Answer a = owner.connect(id, 0, null);
        assertThat(a.on("/meta/connect").get("successful").asBoolean()).as("the owner's session lives").isTrue();
        assertThat(a.json().get(0).get("data").asText()).isEqualTo("real");
        assertThat(a.body()).doesNotContain("forged");
    }

    @Test
    void aBatchIsHandledInOrderAndItsConnectCarriesWhatItCaused() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        JsonNode answer = browser.post("/cometd", "["
                + "{\"id\":\"a\",\"channel\":\"/meta/subscribe\",\"clientId\":\"" + id + "\",\"subscription\":[\"/raw/batch/x\",\"/raw/batch/y\"]},"
                + "{\"id\":\"b\",\"channel\":\"/raw/batch/x\",\"clientId\":\"" + id + "\",\"data\":1},"
                + "{\"id\":\"c\",\"channel\":\"/raw/batch/y\",\"clientId\":\"" + id + "\",\"data\":2},"
                + "{\"id\":\"d\",\"channel\":\"/meta/connect\",\"connectionType\":\"long-polling\",\"clientId\":\"" + id + "\"}]").json();
        // The replies in request order; the connect's answer last: what the batch published, then its reply.
        assertThat(answer).extracting(m -> m.path("id").asText() + m.path("channel").asText())
                .containsExactly("a/meta/subscribe", "b/raw/batch/x", "c/raw/batch/y", "/raw/batch/x", "/raw/batch/y", "d/meta/connect");
        assertThat(answer.get(0).get("subscription")).hasSize(2);
        assertThat(answer.get(1).has("data")).as("a publish reply carries no data").isFalse();
        assertThat(answer.get(3).get("data").asInt()).isEqualTo(1);
        assertThat(answer.get(4).get("data").asInt()).isEqualTo(2);
    }

    @Test
    void aHeldConnectAnswersWithWhatArrives() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        browser.subscribe(id, "/raw/held");
        browser.connect(id, 0, null);
        CompletableFuture<Answer> held = async(() -> browser.connect(id, 20_000, null));
        server.publish("/raw/held", "{\"n\":1}");
        Answer a = held.get(5, TimeUnit.SECONDS);
        assertThat(a.json().get(0).get("channel").asText()).isEqualTo("/raw/held");
        assertThat(a.on("/meta/connect").get("successful").asBoolean()).isTrue();
    }

    @Test
    void onlyOneTabOfABrowserHoldsItsConnectTheOthersAreToldToPoll() throws Exception {
        RawBayeux tab1 = new RawBayeux(server);
        String first = tab1.handshake();
        RawBayeux tab2 = new RawBayeux(server);
        tab2.cookie = tab1.cookie;
        String second = tab2.handshake();
        tab1.connect(first, 0, null);
        tab2.connect(second, 0, null);
        CompletableFuture<Answer> c1 = async(() -> tab1.connect(first, 20_000, null));
        CompletableFuture<Answer> c2 = async(() -> tab2.connect(second, 20_000, null));

        // Whichever comes second is answered at once, advising to poll; the other is held.
        Answer quick = (Answer) CompletableFuture.anyOf(c1, c2).get(5, TimeUnit.SECONDS);
        JsonNode advice = quick.on("/meta/connect").get("advice");
        assertThat(advice.get("multiple-clients").asBoolean()).isTrue();
        assertThat(advice.get("reconnect").asText()).isEqualTo("retry");
        assertThat(advice.get("interval").asLong()).isEqualTo(BayeuxSessions.MULTI_CLIENT_INTERVAL);
        boolean firstHolds = c2.isDone();
        CompletableFuture<Answer> held = firstHolds ? c1 : c2;
        assertThat(held).isNotDone();

        // Once the holding tab leaves, the other tab's connect is held in turn.
        RawBayeux leaving = firstHolds ? tab1 : tab2;
        RawBayeux staying = firstHolds ? tab2 : tab1;
        String leavingId = firstHolds ? first : second;
        String stayingId = firstHolds ? second : first;
        leaving.post("/cometd", "[{\"channel\":\"/meta/disconnect\",\"clientId\":\"" + leavingId + "\"}]");
        assertThat(held.get(5, TimeUnit.SECONDS).on("/meta/connect").get("advice").get("reconnect").asText()).isEqualTo("none");
        long start = System.nanoTime();
        JsonNode reply = staying.connect(stayingId, -1, null).on("/meta/connect");
        assertThat(reply.get("advice").has("multiple-clients")).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("held for longpoll-timeout").isGreaterThan(Duration.ofMillis(800));
    }

    private interface Call {
        Answer call() throws Exception;
    }

    private static CompletableFuture<Answer> async(Call call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aSessionWithoutConnectsExpiresAfterMaxInterval() throws Exception {
        long expired = server.server().metrics().sessionsEnded(BayeuxSessions.PROTOCOL, SessionEnd.EXPIRED.code());
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        assertThat(browser.connect(id, 0, null).on("/meta/connect").get("successful").asBoolean()).isTrue();
        // Each probe is itself a connect that would keep the session alive, so probes come
        // further apart than max-interval (1 s): the first one after the expiry sees it gone.
        await().pollDelay(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                .until(() -> browser.connect(id, 0, null).on("/meta/connect").path("error").asText().equals("402::session_unknown"));
        assertThat(server.server().metrics().sessionsEnded(BayeuxSessions.PROTOCOL, SessionEnd.EXPIRED.code()))
                .isGreaterThan(expired);
    }

    @Test
    void aHeldConnectKeepsTheSessionAlive() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        browser.connect(id, 0, null);
        // Three held connects of 1 s in a row: longer than max-interval, yet never without a connect.
        for (int i = 0; i < 3; i++) {
            assertThat(browser.connect(id, -1, null).on("/meta/connect").get("successful").asBoolean()).isTrue();
        }
    }

    @Test
    void ackBatchesAreNumberedAndUnacknowledgedMessagesComeAgain() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake("{\"ack\":true}");
        browser.subscribe(id, "/raw/ack");
        JsonNode first = browser.connect(id, 0, "{\"ack\":0}").on("/meta/connect");
        long batch = first.get("ext").get("ack").asLong();
        server.publish("/raw/ack", "\"a\"");
        Answer a = browser.connect(id, 0, "{\"ack\":" + batch + "}");
        assertThat(a.json().get(0).get("data").asText()).isEqualTo("a");
        long carried = a.on("/meta/connect").get("ext").get("ack").asLong();
        assertThat(carried).isGreaterThan(batch);
        // Not acknowledged (the client says it only has the earlier batch): "a" comes again.
        Answer again = browser.connect(id, 0, "{\"ack\":" + batch + "}");
        assertThat(again.json().get(0).get("data").asText()).isEqualTo("a");
        long next = again.on("/meta/connect").get("ext").get("ack").asLong();
        // Acknowledged: gone.
        Answer after = browser.connect(id, 0, "{\"ack\":" + next + "}");
        assertThat(after.json()).hasSize(1);
    }

    @Test
    void timesyncAnswersCarryTheServerClock() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        long tc = System.currentTimeMillis();
        JsonNode reply = browser.post("/cometd/handshake", "[{\"channel\":\"/meta/handshake\",\"supportedConnectionTypes\":[\"long-polling\"],"
                + "\"ext\":{\"timesync\":{\"tc\":" + tc + ",\"l\":0,\"o\":0}}}]").on("/meta/handshake");
        JsonNode t = reply.get("ext").get("timesync");
        assertThat(t.get("tc").asLong()).isEqualTo(tc);
        assertThat(t.get("ts").asLong()).isBetween(tc - 5_000, tc + 5_000);
        assertThat(t.get("p").asLong()).isBetween(0L, 5_000L);
        assertThat(t.get("a").asLong()).isEqualTo(tc - t.get("ts").asLong());
    }

    @Test
    void callbackPollingAnswersWithAScriptCall() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String message = URLEncoder.encode("[{\"channel\":\"/meta/handshake\",\"supportedConnectionTypes\":[\"callback-polling\"]}]",
                StandardCharsets.UTF_8);
        Answer a = browser.get("/cometd/handshake?jsonp=_cometd_jsonp_0&message=" + message);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("application/javascript");
        assertThat(a.setCookie()).startsWith("BAYEUX_BROWSER=");
        assertThat(a.body()).startsWith("/**/_cometd_jsonp_0([{\"channel\":\"/meta/handshake\"").endsWith("]);");

        Answer bad = browser.get("/cometd/connect?jsonp=alert(1)//&message=" + message);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("bad_callback").doesNotContain("alert");
        Answer notJson = browser.get("/cometd/connect?jsonp=cb&message=nope");
        assertThat(notJson.status()).isEqualTo(200);
        assertThat(notJson.body()).startsWith("/**/cb({\"error\":\"bad_json\"");
    }

    @Test
    void requestsThatAreNotBayeuxGetJsonErrors() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        long badJson = errors(ReplyError.BAD_JSON);
        assertThat(browser.post("/cometd", "not json").status()).isEqualTo(400);
        assertThat(browser.post("/cometd", "[]").status()).isEqualTo(400);
        assertThat(browser.post("/cometd", "42").status()).isEqualTo(400);
        assertThat(browser.get("/cometd").status()).as("a GET without jsonp=").isEqualTo(400);
        assertThat(errors(ReplyError.BAD_JSON)).isEqualTo(badJson + 3);
        assertThat(browser.post("/cometd", "[" + "{},".repeat(1000) + "{}]").status()).isEqualTo(413);

        JsonNode replies = browser.post("/cometd", "[1,{\"channel\":7},{\"channel\":\"/meta/nope\",\"id\":\"x\"}]").json();
        assertThat(replies).extracting(r -> r.get("error").asText())
                .containsExactly("400::message_invalid", "400::message_invalid", "400::meta_unknown");
    }

    @Test
    void reservedAndInvalidChannelsAreRefused() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        assertThat(browser.subscribe(id, "/service/**").on("/meta/subscribe").get("error").asText()).isEqualTo("403::subscribe_denied");
        assertThat(browser.subscribe(id, "/meta/*").on("/meta/subscribe").get("error").asText()).isEqualTo("403::subscribe_denied");
        assertThat(browser.subscribe(id, "no-slash").on("/meta/subscribe").get("error").asText()).isEqualTo("400::channel_invalid");
        assertThat(browser.subscribe(id, "/a/*/b").on("/meta/subscribe").get("error").asText()).isEqualTo("400::channel_invalid");
        JsonNode publish = browser.post("/cometd", "[{\"channel\":\"/raw/*\",\"data\":1,\"clientId\":\"" + id + "\"},"
                + "{\"channel\":\"/raw/nodata\",\"clientId\":\"" + id + "\"}]").json();
        assertThat(publish.get(0).get("error").asText()).isEqualTo("400::channel_invalid");
        assertThat(publish.get(1).get("error").asText()).isEqualTo("400::message_invalid");
    }
}
