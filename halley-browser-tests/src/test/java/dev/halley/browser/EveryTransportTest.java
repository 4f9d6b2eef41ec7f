package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each transport forced in turn, in a real Chromium, same origin: 200 messages published while
 * the client listens arrive once each and in order. The stream budget is small, so the
 * streaming transports end and resume several times on the way.
 */
@Timeout(120)
class EveryTransportTest {
    @RegisterExtension
    static final HalleyServerExtension server = new HalleyServerExtension(c -> HalleyPage.forBrowsers(c)
            .with(ConfigKey.HISTORY_SIZE, "1000")
            .with(ConfigKey.STREAM_BUDGET, "4KiB"), TestPages.ROUTES);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @ParameterizedTest
    @EnumSource(BrowserTransport.class)
    void twoHundredMessagesArriveInOrder(BrowserTransport transport) throws Exception {
        String channel = "/every/" + transport;
        HalleyPage page = HalleyPage.open(chromium.newProfile(), server.uri("/test/blank.html"), server.uri("/halley.js"))
                .connect("", transport.forced(""))
                .subscribe(channel, "{since: 0}");
        page.awaitState("connected");
        for (int n = 1; n <= 200; n++) {
            server.publish(channel, "{\"n\":" + n + "}");
        }
        page.assertOneTo(channel, 200);
        assertThat(page.transport()).isEqualTo(transport.toString());
        assertThat(page.events("gap")).isEmpty();
        assertThat(page.events("transport")).extracting(e -> e.get("transport").asText()).isEqualTo(List.of(transport.toString()));
    }

    /**
     * Two channels resumed from an offset while publishing goes on: the request carries no
     * per-channel position, so the client catches each channel up from history; the catch-up
     * must neither leave a hole before the live stream nor be overtaken by it.
     */
    @ParameterizedTest
    @EnumSource(BrowserTransport.class)
    void twoChannelsResumeFromAnOffsetWhilePublishingGoesOn(BrowserTransport transport) throws Exception {
        String a = "/resume/" + transport + "/a";
        String b = "/resume/" + transport + "/b";
        publishBoth(a, b, 1, 20);
        HalleyPage page = HalleyPage.open(chromium.newProfile(), server.uri("/test/blank.html"), server.uri("/halley.js"))
                .connect("", transport.forced(""));
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> publishBoth(a, b, 21, 80));
        page.subscribe(a, "{since: 10}").subscribe(b, "{since: 10}");
        publisher.get(20, TimeUnit.SECONDS);
        page.assertRange(a, 11, 80);
        page.assertRange(b, 11, 80);
        assertThat(page.events("gap")).isEmpty();
    }

    private static void publishBoth(String a, String b, int from, int to) {
        try {
            for (int n = from; n <= to; n++) {
                server.publish(a, "{\"n\":" + n + "}");
                server.publish(b, "{\"n\":" + n + "}");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
