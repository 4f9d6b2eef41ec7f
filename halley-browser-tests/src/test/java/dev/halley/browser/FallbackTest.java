package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.Route;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A network that gets in the way, played by the server's own routes: WebSocket upgrades
 * refused (as by a proxy without Upgrade support), and an XHR stream whose bytes never come
 * (as through a proxy that buffers responses). The client moves down to the next transport,
 * says why, and remembers what worked for the next page load.
 */
@Timeout(60)
class FallbackTest {
    @RegisterExtension
    static final HalleyServerExtension server = new HalleyServerExtension(HalleyPage::forBrowsers, hostileNetwork());
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private static Map<String, Function<ServerContext, Route>> hostileNetwork() {
        Map<String, Function<ServerContext, Route>> routes = new HashMap<>(TestPages.ROUTES);
        routes.put("/ws", context -> ex -> {
            throw new HalleyException(ReplyError.FORBIDDEN, "This network refuses WebSocket upgrades.");
        });
        // Headers, then nothing: what a page sees behind a proxy that holds the body back.
        routes.put("/stream", context -> ex -> ex.startStream("application/x-ndjson; charset=UTF-8", null));
        return routes;
    }

    @Test
    void aRefusedWebSocketGivesWayToTheNextTransportWhichIsRememberedForTheNextPageLoad() throws Exception {
        Profile profile = chromium.newProfile();
        HalleyPage first = open(profile, "{}");
        first.subscribe("/fallback/ws", "{since: 0}").awaitTransport("sse");
        assertThat(first.transportsTried()).containsExactly("websocket (initial)",
                "sse (websocket failed: could not connect (code 1006))");
        server.publish("/fallback/ws", "{\"n\":1}");
        first.assertOneTo("/fallback/ws", 1);

        HalleyPage next = open(profile, "{}");
        next.subscribe("/fallback/ws", "{since: 0}").awaitTransport("sse");
        assertThat(next.transportsTried()).containsExactly("sse (remembered)");
    }

    @Test
    void aStreamWithNoByteWithinTheDeadlineGivesWayToLongPolling() throws Exception {
        HalleyPage page = open(chromium.newProfile(), "{transports: ['xhr-streaming', 'long-polling'], connectTimeout: 1000}");
        page.subscribe("/fallback/buffered", "{since: 0}").awaitTransport("long-polling");
        assertThat(page.transportsTried()).containsExactly("xhr-streaming (initial)",
                "long-polling (xhr-streaming failed: no data within 1000 ms)");
        server.publish("/fallback/buffered", "{\"n\":1}");
        page.assertOneTo("/fallback/buffered", 1);
    }

    private static HalleyPage open(Profile profile, String options) {
        return HalleyPage.open(profile, server.uri("/test/blank.html"), server.uri("/halley.js")).connect("", options);
    }
}
