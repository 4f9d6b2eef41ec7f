package dev.halley.browser.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.browser.BrowserPage;
import dev.halley.browser.Chromium;
import dev.halley.browser.PageServer;
import dev.halley.browser.TestPages;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real {@code sockjs-client} (npm, 1.x) in headless Chromium against Halley's SockJS door,
 * forced onto each transport it has in Chromium in turn ({@code xdr-streaming} and
 * {@code xdr-polling} need IE's {@code XDomainRequest}; the client never offers them elsewhere).
 * Each run: 100 messages echoed in order, unicode and large messages, a close by the server, and
 * channel messages published through {@code /api/publish} arriving over SockJS.
 *
 * <p>Pages come from another origin (the {@link PageServer}), as where an application serves its
 * pages and Halley runs apart, so the XHR transports go through CORS with credentials and the
 * iframe ones load the iframe page from Halley; {@code htmlfile}, which the client offers only to
 * a page of the server's own origin, runs from a page Halley serves. The iframe page loads the
 * client from the page server ({@code sockjs-client-url}).
 */
@Timeout(120)
class SockJsClientTest {
    private static final String CLIENT = "/node_modules/sockjs-client/dist/sockjs.min.js";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @RegisterExtension
    static final PageServer pages = new PageServer();
    @RegisterExtension
    static final HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.SOCKJS_TEST_SERVICES, "true")
            .with(ConfigKey.SOCKJS_CLIENT_URL, pages.origin() + CLIENT), TestPages.ROUTES);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    /** The client's transports in Chromium, by the name its {@code transports} option takes. */
    enum Transport {
        WEBSOCKET("websocket", false),
        XHR_STREAMING("xhr-streaming", false),
        EVENTSOURCE("eventsource", false),
        IFRAME_EVENTSOURCE("iframe-eventsource", false),
        HTMLFILE("htmlfile", true),
        IFRAME_HTMLFILE("iframe-htmlfile", false),
        XHR_POLLING("xhr-polling", false),
        IFRAME_XHR_POLLING("iframe-xhr-polling", false),
        JSONP_POLLING("jsonp-polling", false);

        final String clientName;
        final boolean sameOrigin;

        Transport(String clientName, boolean sameOrigin) {
            this.clientName = clientName;
            this.sameOrigin = sameOrigin;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void sockJsClientOverTransport(Transport t) throws Exception {
        BrowserPage page = chromium.open(t.sameOrigin ? server.uri("/test/blank.html") : pages.uri("/pages/blank.html"));
        page.addScript(pages.uri(CLIENT));
        page.addScript(pages.uri("/pages/sockjs-test.js"));

        assertThat(open(page, "echo", "echo", t)).isEqualTo(t.clientName);
        echoesHundredMessagesInOrder(page);
        echoesUnicodeAndLargeMessages(page);

        assertThat(open(page, "close", "close", t)).isEqualTo(t.clientName);
        page.waitFor("socks.close.closed !== null", DEADLINE);
        JsonNode closed = page.eval("socks.close.closed");
        assertThat(closed.get("code").asInt()).isEqualTo(3000);
        assertThat(closed.get("reason").asText()).isEqualTo("Go away!");

        channelMessagesArrive(page, t);
        page.close();
    }

    private static String open(BrowserPage page, String name, String service, Transport t) {
        String url = server.uri("/sockjs/" + service).toString();
        return page.eval("sockTest.open(" + quote(name) + ", " + quote(url) + ", " + quote(t.clientName) + ")", DEADLINE).asText();
    }

    private static void echoesHundredMessagesInOrder(BrowserPage page) throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sent.add("message " + i);
        }
        assertThat(echo(page, sent)).containsExactlyElementsOf(sent);
    }

    private static void echoesUnicodeAndLargeMessages(BrowserPage page) throws Exception {
        String unicode = "zażółć gęślą jaźń — 日本語 — 😀🎉 — \u2028\u2029 \u200d\ufeff \u0000\u001f \"quotes\" \\ </script>";
        String large = "large:" + "0123456789abcdef€".repeat(1500); // 25,500 characters, about 28 KiB of UTF-8
        assertThat(echo(page, List.of(unicode, large, "after"))).containsExactly(unicode, large, "after");
    }

    private static List<String> echo(BrowserPage page, List<String> messages) throws Exception {
        JsonNode got = page.eval("sockTest.echo('echo', " + JSON.writeValueAsString(messages) + ", 15000)", DEADLINE);
        List<String> out = new ArrayList<>();
        got.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void channelMessagesArrive(BrowserPage page, Transport t) throws Exception {
        String channel = "browser/sockjs/" + t.name().toLowerCase();
        assertThat(open(page, "channels", "channels", t)).isEqualTo(t.clientName);
        page.eval("socks.channels.sock.send(JSON.stringify({op: 'subscribe', channel: " + quote(channel) + ", id: 1})); true");
        page.waitFor("socks.channels.got.some(m => JSON.parse(m).id === 1)", DEADLINE);
        JsonNode reply = JSON.readTree(page.eval("socks.channels.got.find(m => JSON.parse(m).id === 1)").asText());
        assertThat(reply.get("ok").asBoolean()).as(reply.toString()).isTrue();
        for (int i = 1; i <= 3; i++) {
            server.publish(channel, "{\"n\":" + i + ",\"text\":\"über\"}");
        }
        page.waitFor("socks.channels.got.filter(m => 'offset' in JSON.parse(m)).length === 3", DEADLINE);
        JsonNode messages = page.eval("socks.channels.got.map(m => JSON.parse(m)).filter(m => 'offset' in m)");
        for (int i = 0; i < 3; i++) {
            JsonNode m = messages.get(i);
            assertThat(m.get("channel").asText()).isEqualTo(channel);
            assertThat(m.get("offset").asLong()).isEqualTo(i + 1);
            assertThat(m.get("data").get("n").asInt()).isEqualTo(i + 1);
            assertThat(m.get("data").get("text").asText()).isEqualTo("über");
        }
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
