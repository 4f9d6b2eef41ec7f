package dev.halley.browser.bayeux;

import dev.halley.browser.BrowserPage;
import dev.halley.browser.TestPages;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A tab running CometD's JavaScript client (the {@code cometd} package from npm, loaded as an ES
 * module from the server under test, so the page, the client and {@code /cometd} share one
 * origin and the browser's cookie) with one transport, as an application would write it:
 * subscriptions made in the {@code /meta/handshake} listener, so they are made again after a
 * re-handshake. In the page: {@code got} (data received on the channel), {@code handshakes},
 * {@code subscribed}, {@code connects} (every {@code /meta/connect} reply) and {@code connected}
 * (whether the last {@code /meta/connect} reply was successful).
 *
 * <p>{@code connected} is what CometD's own examples track, with a {@code /meta/connect} listener.
 * {@code cometd.getStatus()} is no such signal: the client says {@code 'connected'} only while a
 * {@code /meta/connect} is in flight and {@code 'connecting'} while it waits out the advised
 * interval, so a tab told to poll every 2 s ({@code multiple-clients}) is {@code 'connecting'}
 * nearly all the time.
 */
final class CometdPage {
    static final Duration DEADLINE = Duration.ofSeconds(15);
    /** The npm package's files, served by the Halley server under test at {@code /cometd-js/…}. */
    static final Map<String, Function<ServerContext, Route>> ROUTES = routes();

    private final BrowserPage page;

    private CometdPage(BrowserPage page) {
        this.page = page;
    }

    /**
     * Loads the client into {@code page}, keeps only {@code transport} ({@code long-polling},
     * {@code callback-polling} or {@code websocket}), optionally the ack extension, handshakes,
     * and subscribes to {@code channel} on every successful handshake.
     */
    static CometdPage start(BrowserPage page, String transport, String channel, boolean ack) {
        return start(page, transport, channel, ack ? "ack" : null);
    }

    /** {@link #start(BrowserPage, String, String, boolean)} with one of CometD's extensions: {@code ack} or {@code timesync}. */
    static CometdPage start(BrowserPage page, String transport, String channel, String extension) {
        page.eval("(async () => {"
                + " const m = await import('/cometd-js/cometd.js');"
                + " const cometd = new m.CometD();"
                + " window.cometd = cometd; window.got = []; window.handshakes = 0; window.subscribed = 0; window.connects = []; window.connected = false;"
                + " for (const t of cometd.getTransportTypes()) { if (t !== '" + transport + "') cometd.unregisterTransport(t); }"
                + ("ack".equals(extension) ? " cometd.registerExtension('ack', new m.AckExtension());" : "")
                + ("timesync".equals(extension) ? " cometd.registerExtension('timesync', new m.TimeSyncExtension());" : "")
                + " cometd.configure({url: location.origin + '/cometd', logLevel: 'warn', backoffIncrement: 100, maxBackoff: 1000});"
                + " cometd.addListener('/meta/connect', r => { connects.push(r); connected = r.successful === true; });"
                + " cometd.addListener('/meta/handshake', r => { if (!r.successful) return; handshakes++;"
                + "   window.subscription = cometd.subscribe('" + channel + "', m => got.push(m.data), s => { if (s.successful) subscribed++; }); });"
                + " cometd.handshake();"
                + " return true; })()");
        return new CometdPage(page);
    }

    BrowserPage page() {
        return page;
    }

    /**
     * Waits until the client has subscribed {@code times} times in all (once per handshake) and its
     * last {@code /meta/connect} was answered successfully.
     */
    void awaitSubscribed(int times) {
        waitFor("window.subscribed >= " + times + " && window.connected");
    }

    void awaitReceived(int count) {
        waitFor("window.got.length >= " + count);
    }

    /** Waits for {@code js}; on timeout the failure says where the client stood. */
    private void waitFor(String js) {
        try {
            page.waitFor(js, DEADLINE);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nclient: " + state(), e);
        }
    }

    private String state() {
        try {
            return page.eval("JSON.stringify({status: cometd.getStatus(), clientId: cometd.getClientId(), handshakes, subscribed,"
                    + " connected, got: got.length, lastConnects: connects.slice(-3)})").asText();
        } catch (AssertionError | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    String transportType() {
        return page.eval("cometd.getTransport().type").asText();
    }

    private static Map<String, Function<ServerContext, Route>> routes() {
        Map<String, Function<ServerContext, Route>> r = new HashMap<>(TestPages.ROUTES);
        r.put("/cometd-js/**", context -> CometdPage::serveModule);
        return Map.copyOf(r);
    }

    private static void serveModule(HttpExchange ex) throws IOException {
        ex.requireMethod(HttpMethod.GET);
        String name = ex.path().substring("/cometd-js/".length());
        if (!name.matches("[A-Za-z0-9]+\\.js")) {
            throw new HalleyException(ReplyError.NOT_FOUND, "No such module " + name);
        }
        Path file = moduleDir().resolve("node_modules/cometd").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new HalleyException(ReplyError.NOT_FOUND, "No such module " + name);
        }
        ex.send(HttpResponseStatus.OK, "application/javascript; charset=UTF-8", Unpooled.wrappedBuffer(Files.readAllBytes(file)), null);
    }

    private static Path moduleDir() {
        String dir = System.getProperty("halley.browser.dir");
        return Path.of(dir != null ? dir : System.getProperty("user.dir")).toAbsolutePath();
    }
}
