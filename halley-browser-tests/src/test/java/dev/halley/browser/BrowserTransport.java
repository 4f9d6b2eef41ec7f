package dev.halley.browser;

import java.util.Locale;

/** The transports of halley.js; {@link #toString()} is the name {@code options.transports} takes. */
enum BrowserTransport {
    WEBSOCKET, SSE, XHR_STREAMING, IFRAME, HTMLFILE, LONG_POLLING, JSONP, POLLING;

    /** Client options forcing this transport, polling quickly, plus {@code more} (e.g. {@code "bridge: true"}). */
    String forced(String more) {
        return "{transports: ['" + this + "'], pollInterval: 100" + (more.isEmpty() ? "" : ", " + more) + "}";
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
