package dev.halley.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A tab running halley.js with the recorder of {@code pages/record.js}: connect, subscribe, and
 * read back what the client delivered and which events it raised.
 */
final class HalleyPage {
    static final Duration DEADLINE = Duration.ofSeconds(15);

    private final BrowserPage page;

    /**
     * The server settings every browser test wants: a short shutdown grace, since a browser
     * keeps idle keep-alive connections open and the default 10 s would be waited out at every
     * stop.
     */
    static HalleyConfig forBrowsers(HalleyConfig c) {
        return c.with(ConfigKey.SHUTDOWN_GRACE, "200ms");
    }

    private HalleyPage(BrowserPage page) {
        this.page = page;
    }

    /**
     * Opens {@code pageUrl} (a page of the test pages) in {@code profile}, loads halley.js from
     * {@code halleyJs} and the recorder from next to the page.
     */
    static HalleyPage open(Profile profile, URI pageUrl, URI halleyJs) {
        BrowserPage page = profile.open(pageUrl);
        page.addScript(halleyJs);
        page.addScript(pageUrl.resolve("record.js"));
        return new HalleyPage(page);
    }

    /** {@code Halley.connect(base, options)}; {@code options} is a JavaScript object literal. */
    HalleyPage connect(String base, String options) {
        page.eval("record(" + DriverProcess.JSON.valueToTree(base) + ", " + options + ")");
        return this;
    }

    /** Subscribes with {@code options} (a JavaScript object literal) and records the messages. */
    HalleyPage subscribe(String channel, String options) {
        page.eval("rec.subscribe(" + quote(channel) + ", " + options + "), true");
        return this;
    }

    void awaitState(String state) {
        page.waitFor("rec.client.state === " + quote(state), DEADLINE);
    }

    /** Waits until {@code transport} is the one in use and connected. */
    void awaitTransport(String transport) {
        page.waitFor("rec.client.transport === " + quote(transport) + " && rec.client.state === 'connected'", DEADLINE);
    }

    void awaitCount(String channel, int count) {
        try {
            page.waitFor("rec.count(" + quote(channel) + ") >= " + count, DEADLINE);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- " + page.eval("String(rec.client)").asText()
                    + "\nreceived on " + channel + ": " + page.eval("(rec.messages[" + quote(channel) + "] || []).map(m => m.data.n)")
                    + "\nevents: " + page.eval("rec.events"), e);
        }
    }

    /** Waits for {@code count} messages on {@code channel} and checks they are {@code n} = 1…count, once each, in order. */
    void assertOneTo(String channel, int count) {
        assertRange(channel, 1, count);
    }

    /** Waits for the messages {@code n} = from…to on {@code channel} and checks they came once each, in order, and nothing else. */
    void assertRange(String channel, int from, int to) {
        awaitCount(channel, to - from + 1);
        assertThat(numbers(channel)).containsExactlyElementsOf(IntStream.rangeClosed(from, to).boxed().toList());
    }

    /** Each transport event as {@code "name (reason)"}, in order. */
    List<String> transportsTried() {
        return events("transport").stream().map(e -> e.get("transport").asText() + " (" + e.get("reason").asText() + ")").toList();
    }

    /** The {@code data.n} of each message received on {@code channel}, in arrival order. */
    List<Integer> numbers(String channel) {
        List<Integer> out = new ArrayList<>();
        page.eval("rec.messages[" + quote(channel) + "].map(m => m.data.n)").forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** The recorded events named {@code name} ({@code state}, {@code transport}, {@code gap}, {@code error}). */
    List<JsonNode> events(String name) {
        List<JsonNode> out = new ArrayList<>();
        page.eval("rec.events.filter(e => e.event === " + quote(name) + ")").forEach(out::add);
        return out;
    }

    String transport() {
        return page.eval("rec.client.transport").asText();
    }

    BrowserPage page() {
        return page;
    }

    private static String quote(String s) {
        return DriverProcess.JSON.valueToTree(s).toString();
    }
}
