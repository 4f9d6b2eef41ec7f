package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halley.server.testing.HalleyServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The harness itself: a real Chromium opens pages from the server under test and runs halley.js in them. */
@Timeout(60)
class HarnessSmokeTest {
    @RegisterExtension
    static final PageServer pages = new PageServer();
    @RegisterExtension
    static final HalleyServerExtension server = new HalleyServerExtension(HalleyPage::forBrowsers, TestPages.ROUTES);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @Test
    void aPageFromTheServerReceivesAMessagePublishedFromJava() throws Exception {
        BrowserPage page = chromium.open(server.uri("/test/blank.html"));
        page.addScript(server.uri("/halley.js"));
        page.eval("window.got = []; window.client = Halley.connect('');"
                + " client.subscribe('/smoke', m => got.push(m.data), {since: 0}); true");
        page.waitFor("client.state === 'connected'", Duration.ofSeconds(10));
        server.publish("/smoke", "{\"n\":1}");
        page.waitFor("got.length === 1", Duration.ofSeconds(10));
        assertThat(page.eval("got[0].n").asInt()).isEqualTo(1);
    }

    @Test
    void aFailedWaitSaysWhatThePageLogged() {
        BrowserPage page = chromium.open(pages.uri("/pages/blank.html"));
        page.eval("console.log('the page was here'); true");
        assertThatThrownBy(() -> page.waitFor("window.never === true", Duration.ofMillis(300)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("window.never")
                .hasMessageContaining("console.log: the page was here");
    }
}
