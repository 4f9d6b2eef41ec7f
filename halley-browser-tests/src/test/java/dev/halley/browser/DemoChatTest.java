package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.testing.HalleyServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo at {@code /}: a chat with rooms and nicknames on halley.js. Two people in two
 * browser profiles: the one who joins sees recent history; what one sends, the other sees at
 * once, also after switching the transport with the picker.
 *
 * <p>With {@code -Dhalley.demo.screenshot=docs/images/demo.png} (a path from the repository
 * root) the test also saves a screenshot of the chat for the README.
 */
@Timeout(60)
class DemoChatTest {
    private static final Duration AT_ONCE = Duration.ofSeconds(3);

    @RegisterExtension
    static final HalleyServerExtension server = new HalleyServerExtension(HalleyPage::forBrowsers);
    @RegisterExtension
    static final Chromium chromium = new Chromium();

    @Test
    void twoPeopleChatInARoomAcrossTransports() throws Exception {
        server.publish("/chat/lobby", "{\"nick\":\"ada\",\"text\":\"Morning! Is the deploy done?\"}");
        server.publish("/chat/lobby", "{\"nick\":\"linus\",\"text\":\"Rolling out now, 3 of 5 nodes.\"}");

        BrowserPage grace = chromium.open(server.uri("/?nick=grace"));
        grace.waitFor("document.querySelectorAll('#messages li.msg').length === 2", AT_ONCE);
        grace.waitFor("document.getElementById('transport-name')?.textContent === 'websocket'", AT_ONCE);
        assertThat(grace.eval("document.querySelector('#messages li.msg .text').textContent").asText())
                .isEqualTo("Morning! Is the deploy done?");

        BrowserPage ada = chromium.open(server.uri("/?nick=ada"));
        ada.waitFor("document.querySelectorAll('#messages li.msg').length === 2", AT_ONCE);
        say(ada, "Thanks, watching the graphs.");
        awaitLast(grace, "ada", "Thanks, watching the graphs.");

        grace.select("#transport", "long-polling");
        grace.waitFor("document.getElementById('transport-name')?.textContent === 'long-polling'"
                + " && document.getElementById('status').dataset.state === 'connected'", AT_ONCE);
        say(ada, "Sent while you were on long-polling?");
        awaitLast(grace, "ada", "Sent while you were on long-polling?");
        say(grace, "Got it, no doubles.");
        awaitLast(ada, "grace", "Got it, no doubles.");
        // Grace's own line shows when the server echoes it back, which may come after Ada has it.
        awaitLast(grace, "grace", "Got it, no doubles.");
        assertThat(grace.eval("document.querySelectorAll('#messages li.msg').length").asInt()).isEqualTo(5);

        grace.click("#rooms button[data-room='random']");
        grace.waitFor("document.getElementById('room-title').textContent === '# random'", AT_ONCE);
        assertThat(grace.eval("document.querySelectorAll('#messages li.msg').length").asInt()).isZero();
        say(ada, "Only in the lobby.");
        awaitLast(ada, "ada", "Only in the lobby.");
        assertThat(grace.eval("document.querySelectorAll('#messages li.msg').length").asInt()).isZero();
        screenshotIfAsked(ada);
    }

    private static void say(BrowserPage page, String text) {
        page.fill("#text", text);
        page.press("#text", "Enter");
    }

    private static void awaitLast(BrowserPage page, String nick, String text) {
        page.waitFor("(() => { const m = [...document.querySelectorAll('#messages li.msg')].pop();"
                + " return m && m.querySelector('.nick').textContent === " + DriverProcess.JSON.valueToTree(nick)
                + " && m.querySelector('.text').textContent === " + DriverProcess.JSON.valueToTree(text) + "; })()", AT_ONCE);
    }

    private static void screenshotIfAsked(BrowserPage page) throws Exception {
        String target = System.getProperty("halley.demo.screenshot");
        if (target == null || target.isBlank()) {
            return;
        }
        Path png = Chromium.moduleDir().getParent().resolve(target);
        Files.createDirectories(png.getParent());
        page.screenshot(png, 1100, 700);
    }
}
