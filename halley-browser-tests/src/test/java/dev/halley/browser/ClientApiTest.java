package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.testing.HalleyServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The API a web developer meets: the ES module, subscribe handles, publish promises, events, close. */
@Timeout(60)
class ClientApiTest {
    @RegisterExtension
    static final HalleyServerExtension server = new HalleyServerExtension(HalleyPage::forBrowsers, TestPages.ROUTES);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @Test
    void theEsModuleExportsTheSameClient() {
        BrowserPage page = chromium.open(server.uri("/test/blank.html"));
        JsonNode r = page.eval("import('/halley.mjs').then(async m => {"
                + " const client = m.connect('', {transports: ['long-polling']});"
                + " const got = new Promise(resolve => client.subscribe('/api/esm', resolve, {since: 0}));"
                + " const published = await client.publish('/api/esm', {via: 'esm'});"
                + " const message = await got; client.close();"
                + " return {same: m.default.connect === m.connect, hasGlobal: 'Halley' in window,"
                + " offset: published.offset, data: message.data, transports: m.default.transports}; })");
        assertThat(r.get("same").asBoolean()).isTrue();
        assertThat(r.get("hasGlobal").asBoolean()).as("a module defines no global").isFalse();
        assertThat(r.get("offset").asInt()).isEqualTo(1);
        assertThat(r.get("data").get("via").asText()).isEqualTo("esm");
        assertThat(r.get("transports")).extracting(JsonNode::asText).containsExactly(
                "websocket", "sse", "xhr-streaming", "htmlfile", "iframe", "long-polling", "jsonp", "polling");
    }

    @ParameterizedTest
    @EnumSource(value = BrowserTransport.class, names = {"WEBSOCKET", "XHR_STREAMING", "JSONP"})
    void unsubscribeStopsDeliveryAndPublishResolvesWithTheOffset(BrowserTransport transport) throws Exception {
        String a = "/api/" + transport + "/a";
        String b = "/api/" + transport + "/b";
        HalleyPage page = HalleyPage.open(chromium.newProfile(), server.uri("/test/blank.html"), server.uri("/halley.js"))
                .connect("", transport.forced(""));
        page.page().eval("window.subA = rec.subscribe(" + quote(a) + ", {since: 0}); rec.subscribe(" + quote(b) + ", {since: 0}); true");
        page.awaitState("connected");
        JsonNode published = page.page().eval("rec.client.publish(" + quote(a) + ", {n: 1})");
        assertThat(published.get("channel").asText()).isEqualTo(a);
        assertThat(published.get("offset").asInt()).isEqualTo(1);
        page.assertOneTo(a, 1);
        page.page().eval("subA.unsubscribe(), subA.active");
        server.publish(a, "{\"n\":2}");
        server.publish(b, "{\"n\":1}");
        page.assertOneTo(b, 1);
        assertThat(page.numbers(a)).as("nothing after unsubscribe").containsExactly(1);
    }

    @Test
    void aRefusedSubscriptionIsAnErrorEventAndOthersGoOn() throws Exception {
        HalleyPage page = HalleyPage.open(chromium.newProfile(), server.uri("/test/blank.html"), server.uri("/halley.js"))
                .connect("", "{}")
                .subscribe("/meta/secret", "{}")
                .subscribe("/api/open", "{since: 0}");
        page.page().waitFor("rec.events.some(e => e.event === 'error')", HalleyPage.DEADLINE);
        JsonNode error = page.events("error").get(0);
        assertThat(error.get("channel").asText()).isEqualTo("/meta/secret");
        assertThat(error.get("error").asText()).isEqualTo("forbidden");
        server.publish("/api/open", "{\"n\":1}");
        page.assertOneTo("/api/open", 1);
        assertThat(page.page().eval("(() => { try { rec.client.subscribe('bad channel!', () => {}); }"
                + " catch (e) { return e.name + ' ' + e.code; } })()").asText()).isEqualTo("HalleyError bad_channel");
    }

    @Test
    void stateEventsTellTheStoryAndCloseEndsIt() {
        HalleyPage page = HalleyPage.open(chromium.newProfile(), server.uri("/test/blank.html"), server.uri("/halley.js"))
                .connect("", "{}")
                .subscribe("/api/state", "{}");
        page.awaitState("connected");
        page.page().eval("rec.client.on('disconnected', e => rec.closedFrom = e.previous), rec.client.close(), true");
        assertThat(page.events("state")).extracting(e -> e.get("state").asText()).containsExactly("connected", "disconnected");
        assertThat(page.page().eval("rec.closedFrom").asText()).isEqualTo("connected");
    }

    private static String quote(String s) {
        return DriverProcess.JSON.valueToTree(s).toString();
    }
}
