package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The page on one origin (a {@link PageServer}), Halley on another. Where the server's
 * cors-origins lists the page, the XHR transports work over CORS and the postMessage bridge
 * serves it; where it does not, the client falls back to JSONP, and the bridge refuses.
 */
@Timeout(120)
class CrossOriginTest {
    @RegisterExtension
    static final PageServer pages = new PageServer();
    @RegisterExtension
    static final HalleyServerExtension listed = new HalleyServerExtension(c -> HalleyPage.forBrowsers(c)
            .with(ConfigKey.CORS_ORIGINS, pages.origin()), TestPages.ROUTES);
    @RegisterExtension
    static final HalleyServerExtension unlisted = new HalleyServerExtension(c -> HalleyPage.forBrowsers(c)
            .with(ConfigKey.CORS_ORIGINS, "https://elsewhere.example"), TestPages.ROUTES);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @ParameterizedTest
    @EnumSource(value = BrowserTransport.class, mode = EnumSource.Mode.EXCLUDE, names = {"IFRAME", "HTMLFILE", "JSONP"})
    void overCorsTheClientReceivesAndPublishes(BrowserTransport transport) throws Exception {
        HalleyPage page = open(listed, transport.forced(""));
        roundTrip(page, listed, "/cors/" + transport);
        assertThat(page.transport()).isEqualTo(transport.toString());
    }

    @Test
    void withoutCorsTheClientFallsBackToJsonpAndPublishesThroughIt() throws Exception {
        HalleyPage page = open(unlisted, "{}");
        roundTrip(page, unlisted, "/jsonp/fallback");
        assertThat(page.transport()).isEqualTo("jsonp");
        // Tried best first; the framed transports were never tried (they need the same origin).
        assertThat(page.transportsTried()).extracting(t -> t.substring(0, t.indexOf(' ')))
                .containsExactly("websocket", "sse", "xhr-streaming", "long-polling", "jsonp");
    }

    @ParameterizedTest
    @EnumSource(BrowserTransport.class)
    void theBridgeCarriesEveryTransportWithoutCors(BrowserTransport transport) throws Exception {
        HalleyPage page = open(listed, transport.forced("bridge: true"));
        roundTrip(page, listed, "/bridge/" + transport);
        assertThat(page.transport()).isEqualTo(transport.toString());
        // The page itself sent nothing to the server's origin but the script and the bridge frame.
        List<String> paths = new ArrayList<>();
        page.page().eval("performance.getEntriesByType('resource')"
                + ".filter(e => e.name.startsWith(" + DriverProcess.JSON.valueToTree(listed.uri("/").toString()) + "))"
                + ".map(e => new URL(e.name).pathname)").forEach(p -> paths.add(p.asText()));
        assertThat(paths).containsOnly("/halley.js", "/bridge.html");
    }

    @Test
    void aPublishMadeBeforeTheBridgeIsReadyIsSentWhenItIs() {
        HalleyPage page = open(listed, "{bridge: true}");
        JsonNode result = page.page().eval("rec.client.publish('/bridge/early', {n: 1})");
        assertThat(result.get("offset").asInt()).isEqualTo(1);
        page.subscribe("/bridge/early", "{since: 0}");
        page.assertOneTo("/bridge/early", 1);
    }

    @Test
    void theBridgeRefusesAPageFromAnOriginOutsideCorsOrigins() {
        HalleyPage page = open(unlisted, "{bridge: true}");
        page.page().waitFor("rec.events.some(e => e.event === 'error' && e.error === 'forbidden')", HalleyPage.DEADLINE);
        assertThat(page.events("error").get(0).get("message").asText()).contains(pages.origin(), "cors-origins");
        assertThat(page.page().eval("rec.client.state").asText()).isNotEqualTo("connected");
    }

    private static HalleyPage open(HalleyServerExtension server, String options) {
        return HalleyPage.open(chromium.newProfile(), pages.uri("/pages/blank.html"), server.uri("/halley.js"))
                .connect(server.uri("").toString(), options);
    }

    /** Ten messages from Java and ten published by the page itself all arrive, in order. */
    private static void roundTrip(HalleyPage page, HalleyServerExtension server, String channel) throws Exception {
        page.subscribe(channel, "{since: 0}");
        page.awaitState("connected");
        for (int n = 1; n <= 10; n++) {
            server.publish(channel, "{\"n\":" + n + "}");
        }
        page.assertOneTo(channel, 10);
        page.page().eval("(async () => { for (let n = 11; n <= 20; n++) await rec.client.publish("
                + DriverProcess.JSON.valueToTree(channel) + ", {n}); return true; })()");
        page.assertOneTo(channel, 20);
    }
}
