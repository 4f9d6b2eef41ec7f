package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.List;
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
}
