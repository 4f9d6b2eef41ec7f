package dev.halley.browser;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real headless Chromium per test class, driven through playwright-core by a node process
 * ({@code src/test/node/driver.mjs}). Use as
 * <pre>{@code
 * @RegisterExtension static Chromium chromium = new Chromium();
 * ...
 * BrowserPage page = chromium.open(server.uri("/test/blank.html"));
 * page.waitFor("window.received === 200", Duration.ofSeconds(10));
 * }</pre>
 * Chromium is {@code /usr/bin/chromium} (or {@code $HALLEY_CHROMIUM}), started with
 * {@code --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
 * --disable-background-networking --disable-component-update --disable-sync} and a fresh
 * temporary profile directory, removed when the class ends. Each {@link #open} starts a fresh
 * {@link Profile} (own cookies and storage); open several tabs of one profile with
 * {@link #newProfile()}.
 *
 * <p>When node, Chromium or {@code node_modules/playwright-core} is missing, the class is skipped
 * with a message saying what to install, or fails when the environment says {@code CI=true}.
 */
public final class Chromium implements ExecutionCondition, BeforeAllCallback, AfterAllCallback {
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final boolean CI = "true".equals(System.getenv("CI"));
    private static final String INSTALL_HINT = " (on Debian: apt-get install chromium nodejs npm; mvn verify then runs npm ci)";

    private final List<Profile> profiles = new ArrayList<>();
    private DriverProcess driver;

    /** Skips the class when something is missing, unless {@code CI=true} (then beforeAll fails). */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = missing(moduleDir(), chromiumPath());
        if (missing == null || CI) {
            return ConditionEvaluationResult.enabled("Chromium and playwright-core are here");
        }
        return ConditionEvaluationResult.disabled("Skipping browser tests: " + missing + INSTALL_HINT);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        String missing = missing(moduleDir(), chromiumPath());
        if (missing != null) {
            throw new AssertionError("CI=true and " + missing + INSTALL_HINT);
        }
        driver = new DriverProcess(moduleDir(), chromiumPath(), START_DEADLINE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        profiles.clear();
        if (driver != null) {
            driver.close();
            driver = null;
        }
    }

    /** Chromium's version, e.g. {@code 156.0.8078.79}. */
    public String version() {
        return driver.browserVersion();
    }

    /** A fresh profile: its pages share cookies and storage with each other, with nothing else. */
    public Profile newProfile() {
        Profile p = new Profile(this, call("context", Map.of(), DEFAULT_DEADLINE).asLong());
        profiles.add(p);
        return p;
    }

    /** Opens {@code url} in a new tab of a fresh profile. */
    public BrowserPage open(URI url) {
        return newProfile().open(url);
    }

    com.fasterxml.jackson.databind.JsonNode call(String op, Map<String, Object> args, Duration deadline) {
        if (driver == null) {
            throw new IllegalStateException("Chromium is not running (register it with @RegisterExtension on a static field)");
        }
        return driver.call(op, args, deadline);
    }

    private static Path chromiumPath() {
        return Path.of(System.getenv().getOrDefault("HALLEY_CHROMIUM", "/usr/bin/chromium"));
    }

    /** The module's directory: surefire says it ({@code halley.browser.dir}), else the working directory. */
    static Path moduleDir() {
        String dir = System.getProperty("halley.browser.dir");
        return Path.of(dir != null ? dir : System.getProperty("user.dir")).toAbsolutePath();
    }

    /** What is missing to run the browser, or null. */
    private static String missing(Path dir, Path chromium) {
        if (!Files.isExecutable(chromium)) {
            return "Chromium not found at " + chromium;
        }
        if (!nodeRuns()) {
            return "node not found on the PATH";
        }
        if (!Files.isDirectory(dir.resolve("node_modules/playwright-core"))) {
            return "playwright-core not installed in " + dir.resolve("node_modules") + " (run npm ci there)";
        }
        return null;
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return "Chromium[" + driver + ", profiles=" + profiles.size() + "]";
    }
}
