/**
 * Tests in real headless Chromium against a real Halley server on loopback.
 *
 * <h2>Writing one</h2>
 * <ul>
 *   <li>Register, in this order, what the class needs: a {@link dev.halley.browser.PageServer}
 *       (a second origin, when the test is cross-origin and the server's configuration names
 *       that origin), a {@code HalleyServerExtension} (from halley-server's test-jar; pass
 *       {@link dev.halley.browser.TestPages#ROUTES} to serve the pages of
 *       {@code src/test/resources/pages/} at {@code /test/…} on the server's own origin), and
 *       a {@link dev.halley.browser.Chromium}.</li>
 *   <li>{@code chromium.open(url)} gives a {@link dev.halley.browser.BrowserPage} in a fresh
 *       profile; {@code chromium.newProfile()} gives a profile whose tabs share storage.
 *       Drive the page with {@code eval} (JavaScript, results as JSON), {@code waitFor} (a
 *       condition with a deadline), {@code click}/{@code fill}/{@code press}/{@code select},
 *       and {@code addScript} to load a client library. A failure carries the page's console,
 *       uncaught errors and failed requests.</li>
 *   <li>Third-party browser clients (sockjs-client, the CometD client…) go into
 *       {@code package.json} as devDependencies, with the regenerated {@code package-lock.json}
 *       committed; {@code mvn verify} runs {@code npm ci} when the lock changed, and the
 *       {@code PageServer} serves them at {@code /node_modules/…}.</li>
 *   <li>Give the server {@code HalleyPage::forBrowsers} (a short shutdown grace), or each stop
 *       waits out the browser's idle keep-alive connections.</li>
 * </ul>
 */
package dev.halley.browser;
