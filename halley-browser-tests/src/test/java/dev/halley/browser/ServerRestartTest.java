package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.HistoryLimits;
import dev.halley.core.InMemoryBroker;
import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyConfig;
import dev.halley.server.testing.HalleyServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server restarts while a page listens, on every transport. With history that survives the
 * restart (a broker outside the server: here one in-memory broker the restarted server is
 * built on again), the client resumes where it left off: nothing lost, nothing doubled, no
 * gap. With history lost (a fresh in-memory broker: new epoch, offsets from 1), the client is
 * told of the gap and goes on with the new messages.
 */
@Timeout(120)
class ServerRestartTest {
    private static final InMemoryBroker KEPT = new InMemoryBroker(new HistoryLimits(1000, Duration.ofMinutes(5), Duration.ofHours(1)));

    @RegisterExtension
    static final HalleyServerExtension kept = new HalleyServerExtension(ServerRestartTest::quickShutdown, TestPages.ROUTES)
            .onBroker(KEPT);
    @RegisterExtension
    static final HalleyServerExtension forgetful = new HalleyServerExtension(ServerRestartTest::quickShutdown, TestPages.ROUTES);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private static HalleyConfig quickShutdown(HalleyConfig c) {
        return HalleyPage.forBrowsers(c).with(ConfigKey.HISTORY_SIZE, "1000");
    }

    @ParameterizedTest
    @EnumSource(BrowserTransport.class)
    void aRestartWithinTheHistoryWindowLosesAndDoublesNothing(BrowserTransport transport) throws Exception {
        String channel = "/restart/kept/" + transport;
        HalleyPage page = open(kept, transport, channel);
        publish(kept, channel, 1, 100);
        page.assertOneTo(channel, 100);
        kept.restart(() -> {
            // Published while no server runs (as another node sharing the broker would).
            IntStream.rangeClosed(101, 150).forEach(n -> KEPT.publish(channel, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
        });
        publish(kept, channel, 151, 200);
        page.assertOneTo(channel, 200);
        assertThat(page.events("gap")).isEmpty();
        assertThat(page.transport()).isEqualTo(transport.toString());
    }

    @ParameterizedTest
    @EnumSource(BrowserTransport.class)
    void historyLostInTheRestartIsReportedAsAGap(BrowserTransport transport) throws Exception {
        String channel = "/restart/lost/" + transport;
        HalleyPage page = open(forgetful, transport, channel);
        publish(forgetful, channel, 1, 30);
        page.assertOneTo(channel, 30);
        forgetful.restart();
        publish(forgetful, channel, 31, 60);  // offsets 1..30 again, in a new epoch
        page.assertOneTo(channel, 60);
        assertThat(page.events("gap")).extracting(g -> g.get("channel").asText()).containsExactly(channel);
    }

    private static HalleyPage open(HalleyServerExtension server, BrowserTransport transport, String channel) {
        HalleyPage page = HalleyPage.open(chromium.newProfile(), server.uri("/test/blank.html"), server.uri("/halley.js"))
                .connect("", transport.forced("retryMin: 200, retryMax: 1000"))
                .subscribe(channel, "{since: 0}");
        page.awaitState("connected");
        return page;
    }

    private static void publish(HalleyServerExtension server, String channel, int from, int to) throws Exception {
        for (int n = from; n <= to; n++) {
            server.publish(channel, "{\"n\":" + n + "}");
        }
    }
}
