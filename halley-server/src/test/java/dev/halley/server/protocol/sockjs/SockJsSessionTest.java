package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sockjs-protocol 0.3.3, "Session URLs", "Protocol and framing", "Handling close" and
 * "JSESSIONID cookie", over raw HTTP with the xhr transports; plus the session's timeouts, which
 * the suite leaves to prose. The disconnect delay is shortened so timeouts are seen in seconds.
 */
@Timeout(30)
class SockJsSessionTest {
    static final Duration DISCONNECT_DELAY = Duration.ofMillis(1500);

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true")
            .with(ConfigKey.SOCKJS_DISCONNECT_DELAY, DISCONNECT_DELAY.toMillis() + "ms"));

    private final SockJsHttp http = new SockJsHttp(server);
    private static final String ECHO = SockJsHttp.base("echo");

    // SessionURLs.test_anyValue
    @Test
    void anyServerAndSessionValueOpensASession() throws Exception {
        for (String part : List.of("/a/a", "/_/_", "/1/1", "/abcdefgh_i-j%20/abcdefg_i-j%20")) {
            SockJsHttp.Response r = http.post(ECHO + part + "/xhr", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("o\n");
        }
    }

    // SessionURLs.test_invalidPaths
    @Test
    void emptyDottedOrMissingPartsAreNotFound() throws Exception {
        for (String suffix : List.of("//", "/a./a", "/a/a.", "/./.", "/", "///")) {
            assertThat(http.get(ECHO + suffix + "/xhr").status()).as(suffix).isEqualTo(404);
            assertThat(http.post(ECHO + suffix + "/xhr", null).status()).as(suffix).isEqualTo(404);
        }
    }

    // SessionURLs.test_ignoringServerId
    @Test
    void serverIdIsIgnored() throws Exception {
        String id = UUID.randomUUID().toString();
        assertThat(http.post(ECHO + "/000/" + id + "/xhr", null).body()).isEqualTo("o\n");
        SockJsHttp.Response r = http.post(ECHO + "/000/" + id + "/xhr_send", "[\"a\"]");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        r = http.post(ECHO + "/999/" + id + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a[\"a\"]\n");
    }

    // Protocol.test_simpleSession
    @Test
    void simpleSession() throws Exception {
        String url = SockJsHttp.session("echo");
        SockJsHttp.Response r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("o\n");
        r = http.post(url + "/xhr_send", "[\"a\"]");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a[\"a\"]\n");
        assertThat(http.post(ECHO + "/000/bad_session/xhr_send", "[\"a\"]").status()).isEqualTo(404);

        // A second receiving request while one waits: the close frame 2010, and the first is unharmed.
        try (RawHttp waiting = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            sendAndAwaitDispatch(server, waiting, "POST", url + "/xhr");
            r = http.post(url + "/xhr", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("c[2010,\"Another connection still open\"]\n");
            http.post(url + "/xhr_send", "[\"b\"]");
            RawHttp.Head head = waiting.readHead();
            assertThat(waiting.readBody(head)).isEqualTo("a[\"b\"]\n");
        }
    }

    // Protocol.test_closeSession
    @Test
    void serviceClosesTheSessionAndTheCloseFrameIsServedUntilTheTimeout() throws Exception {
        String url = SockJsHttp.session("close");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        SockJsHttp.Response r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("c[3000,\"Go away!\"]\n");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("c[3000,\"Go away!\"]\n");
        // After the disconnect delay the session is forgotten: the id opens a new one.
        await().atMost(Duration.ofSeconds(5)).until(() -> http.post(url + "/xhr", null).body().equals("o\n"));
    }

    // HandlingClose.test_close_frame
    @Test
    void closingUnlinksTheReceiver() throws Exception {
        String url = SockJsHttp.session("close");
        try (SockJsHttp.Stream r1 = http.stream("POST", url + "/xhr_streaming")) {
            r1.read(); // prelude
            assertThat(r1.read()).isEqualTo("o\n");
            assertThat(r1.read()).isEqualTo("c[3000,\"Go away!\"]\n");
            try (SockJsHttp.Stream r2 = http.stream("POST", url + "/xhr_streaming")) {
                r2.read(); // prelude
                assertThat(r2.read()).isEqualTo("c[3000,\"Go away!\"]\n");
                assertThat(r1.read()).isNull();
                assertThat(r2.read()).isNull();
            }
        }
    }

    // HandlingClose.test_close_request
    @Test
    void secondStreamGetsAnotherConnectionStillOpen() throws Exception {
        String url = SockJsHttp.session("echo");
        try (SockJsHttp.Stream r1 = http.stream("POST", url + "/xhr_streaming")) {
            r1.read();
            assertThat(r1.read()).isEqualTo("o\n");
            assertSecondStreamRefused(url);
        }
    }

    /** A second stream while one is attached: prelude, the 2010 close frame, the end. */
    private void assertSecondStreamRefused(String url) throws Exception {
        try (SockJsHttp.Stream r2 = http.stream("POST", url + "/xhr_streaming")) {
            r2.read();
            assertThat(r2.read()).isEqualTo("c[2010,\"Another connection still open\"]\n");
            assertThat(r2.read()).isNull();
        }
    }

    // HandlingClose.test_abort_xhr_streaming
    @Test
    void abortedStreamInterruptsTheSession() throws Exception {
        String url = SockJsHttp.session("echo");
        SockJsHttp.Stream r1 = http.stream("POST", url + "/xhr_streaming");
        r1.read();
        assertThat(r1.read()).isEqualTo("o\n");
        assertSecondStreamRefused(url);
        r1.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (SockJsHttp.Stream r3 = http.stream("POST", url + "/xhr_streaming")) {
                r3.read();
                assertThat(r3.read()).isEqualTo("c[1002,\"Connection interrupted\"]\n");
            }
        });
    }

    // HandlingClose.test_abort_xhr_polling
    @Test
    void abortedPollInterruptsTheSession() throws Exception {
        String url = SockJsHttp.session("echo");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        RawHttp r1 = new RawHttp(server.port(), SockJsHttp.DEADLINE);
        sendAndAwaitDispatch(server, r1, "POST", url + "/xhr");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("c[2010,\"Another connection still open\"]\n");
        r1.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> http.post(url + "/xhr", null).body()
                .equals("c[1002,\"Connection interrupted\"]\n"));
        assertThat(server.server().metrics().sessionsEnded(Sessions.PROTOCOL, "interrupted")).isPositive();
    }

    // The session times out disconnect_delay after its last receiving request; the service hears of it.
    @Test
    void sessionWithoutReceiverTimesOut() throws Exception {
        String url = SockJsHttp.session("echo");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        assertThat(http.post(url + "/xhr_send", "[\"x\"]").status()).isEqualTo(204);
        long timedOut = server.server().metrics().sessionsEnded(Sessions.PROTOCOL, "timed_out");
        await().atMost(Duration.ofSeconds(5)).until(() -> http.post(url + "/xhr_send", "[\"x\"]").status() == 404);
        assertThat(server.server().metrics().sessionsEnded(Sessions.PROTOCOL, "timed_out")).isGreaterThan(timedOut);
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n"); // a new session
    }

    // A poll that keeps the session alive is not timed out, however long it waits.
    @Test
    void waitingPollKeepsTheSessionAlive() throws Exception {
        String url = SockJsHttp.session("echo");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        try (RawHttp poll = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            sendAndAwaitDispatch(server, poll, "POST", url + "/xhr");
            Thread.sleep(DISCONNECT_DELAY.toMillis() + 500); // the delay must pass with the poll parked
            assertThat(http.post(url + "/xhr_send", "[\"still\"]").status()).isEqualTo(204);
            RawHttp.Head head = poll.readHead();
            assertThat(poll.readBody(head)).isEqualTo("a[\"still\"]\n");
        }
    }

    // JsessionidCookie.test_xhr, test_xhr_streaming, test_eventsource, test_htmlfile, test_jsonp
    @Test
    void cookieNeededServiceSetsJsessionid() throws Exception {
        String base = SockJsHttp.base("cookie_needed_echo");
        SockJsHttp.Response r = http.post(base + "/000/" + UUID.randomUUID() + "/xhr", null);
        assertThat(r.body()).isEqualTo("o\n");
        assertCookie(r.header("set-cookie"), "dummy");
        r = http.post(base + "/000/" + UUID.randomUUID() + "/xhr", null, "Cookie: JSESSIONID=abcdef");
        assertThat(r.body()).isEqualTo("o\n");
        assertCookie(r.header("set-cookie"), "abcdef");
        for (String[] t : new String[][] {{"POST", "/xhr_streaming"}, {"GET", "/eventsource"}, {"GET", "/htmlfile?c=%63allback"}}) {
            try (SockJsHttp.Stream s = http.stream(t[0], base + "/000/" + UUID.randomUUID() + t[1])) {
                assertThat(s.status()).isEqualTo(200);
                assertCookie(s.header("set-cookie"), "dummy");
            }
        }
        String url = base + "/000/" + UUID.randomUUID();
        r = http.get(url + "/jsonp?c=%63allback");
        assertThat(r.body()).isEqualTo("callback(\"o\");\r\n");
        assertCookie(r.header("set-cookie"), "dummy");
        r = http.post(url + "/jsonp_send", "d=%5B%22x%22%5D", "Content-Type: application/x-www-form-urlencoded");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
        assertCookie(r.header("set-cookie"), "dummy");
        // A cookie value that could not be echoed safely is replaced.
        r = http.post(base + "/000/" + UUID.randomUUID() + "/xhr", null, "Cookie: JSESSIONID=\"a b\"");
        assertCookie(r.header("set-cookie"), "dummy");
        // Services that do not need it set none.
        assertThat(http.post(SockJsHttp.session("echo") + "/xhr", null).header("set-cookie")).isNull();
    }

    private static void assertCookie(String setCookie, String value) {
        assertThat(setCookie).isNotNull();
        String[] parts = setCookie.split(";");
        assertThat(parts[0].strip()).isEqualTo("JSESSIONID=" + value);
        assertThat(parts[1].strip().toLowerCase()).isEqualTo("path=/");
    }

    /**
     * Sends a receiving request on {@code c} and waits until the door has taken it: it attaches
     * within the same event-loop call that counts it, long before another connection's request
     * could be read.
     */
    static void sendAndAwaitDispatch(HalleyServerExtension server, RawHttp c, String method, String path) throws Exception {
        long before = server.server().metrics().requestCount(SockJsRoute.PATH + "/**");
        SockJsHttp.send(c, method, path, "1.1", null);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> server.server().metrics().requestCount(SockJsRoute.PATH + "/**") > before);
    }
}
