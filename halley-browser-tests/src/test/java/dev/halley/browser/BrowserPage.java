package dev.halley.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One tab. JavaScript runs in the page as an expression; a promise is awaited, and the value
 * comes back as JSON. Failures (a thrown error, a missed deadline) carry the tab's console,
 * uncaught errors and failed requests.
 */
public final class BrowserPage {
    private final Chromium chromium;
    private final long id;
    private final URI url;

    BrowserPage(Chromium chromium, long id, URI url) {
        this.chromium = chromium;
        this.id = id;
        this.url = url;
    }

    /** Evaluates {@code js} (an expression; a promise is awaited) and returns its value as JSON. */
    public JsonNode eval(String js) {
        return eval(js, Chromium.DEFAULT_DEADLINE);
    }

    /** {@link #eval(String)} with a deadline for a promise that takes longer. */
    public JsonNode eval(String js, Duration deadline) {
        return chromium.call("eval", Map.of("page", id, "js", js), deadline);
    }

    /** Waits until the expression {@code js} is truthy in the page, checked every 50 ms. */
    public void waitFor(String js, Duration deadline) {
        try {
            chromium.call("wait", Map.of("page", id, "js", js), deadline);
        } catch (AssertionError e) {
            throw new AssertionError("waiting for `" + js + "` on " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the classic script at {@code src} into the page (a {@code <script>} element) and
     * waits for it to run: a way to bring a client library from another origin.
     */
    public void addScript(URI src) {
        eval("new Promise((resolve, reject) => { const s = document.createElement('script'); s.src = "
                + DriverProcess.JSON.valueToTree(src.toString()) + "; s.onload = () => resolve(true);"
                + " s.onerror = () => reject(new Error('could not load ' + s.src)); document.head.appendChild(s); })");
    }

    /** Clicks the element matching the CSS {@code selector}, as a user would (waits for it to be clickable). */
    public void click(String selector) {
        chromium.call("click", Map.of("page", id, "selector", selector), Chromium.DEFAULT_DEADLINE);
    }

    /** Types {@code value} into the input matching {@code selector}, replacing what was there. */
    public void fill(String selector, String value) {
        chromium.call("fill", Map.of("page", id, "selector", selector, "value", value), Chromium.DEFAULT_DEADLINE);
    }

    /** Presses {@code key} (e.g. {@code Enter}) in the element matching {@code selector}. */
    public void press(String selector, String key) {
        chromium.call("press", Map.of("page", id, "selector", selector, "key", key), Chromium.DEFAULT_DEADLINE);
    }

    /** Picks the option with value {@code value} in the {@code <select>} matching {@code selector}. */
    public void select(String selector, String value) {
        chromium.call("select", Map.of("page", id, "selector", selector, "value", value), Chromium.DEFAULT_DEADLINE);
    }

    /** Navigates this tab to {@code target}; returns the HTTP status. */
    public int navigate(URI target) {
        return chromium.call("goto", Map.of("page", id, "url", target.toString()), Chromium.DEFAULT_DEADLINE).asInt();
    }

    /** The tab's console lines, uncaught errors and failed requests so far (the last 400). */
    public List<String> log() {
        List<String> lines = new ArrayList<>();
        chromium.call("log", Map.of("page", id), Chromium.DEFAULT_DEADLINE).forEach(l -> lines.add(l.asText()));
        return lines;
    }

    /** Saves a PNG of the viewport, resized to {@code width}×{@code height} CSS pixels first. */
    public void screenshot(Path png, int width, int height) {
        chromium.call("screenshot", Map.of("page", id, "path", png.toAbsolutePath().toString(),
                "width", width, "height", height), Chromium.DEFAULT_DEADLINE);
    }

    public void close() {
        chromium.call("close", Map.of("page", id), Chromium.DEFAULT_DEADLINE);
    }

    public URI url() {
        return url;
    }

    @Override
    public String toString() {
        return "BrowserPage[" + id + ", " + url + "]";
    }
}
