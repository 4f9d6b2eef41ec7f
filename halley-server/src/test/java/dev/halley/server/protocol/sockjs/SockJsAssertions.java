package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

/** The suite's shared checks ({@code Test.verify_*} in sockjs-protocol 0.3.3). */
final class SockJsAssertions {
    private SockJsAssertions() {
    }

    /** {@code verify_cors}: the origin (or {@code *}) and credentials. */
    static void cors(SockJsHttp.Response r, String origin) {
        cors(r.header("access-control-allow-origin"), r.header("access-control-allow-credentials"), origin);
    }

    static void cors(String allowOrigin, String allowCredentials, String origin) {
        assertThat(allowOrigin).isEqualTo(origin != null && !origin.equals("null") ? origin : "*");
        assertThat(allowCredentials).isEqualTo("true");
    }

    /** {@code verify_not_cached}: exactly the SockJS Cache-Control, no Expires, no Last-Modified. */
    static void notCached(SockJsHttp.Response r) {
        notCached(r.header("cache-control"), r.header("expires"), r.header("last-modified"));
    }

    static void notCached(String cacheControl, String expires, String lastModified) {
        assertThat(cacheControl).isEqualTo("no-store, no-cache, must-revalidate, max-age=0");
        assertThat(expires).isNull();
        assertThat(lastModified).isNull();
    }

    /** {@code verify_options}: 204, cached a year, the methods, CORS; from no origin, {@code test} and {@code null}. */
    static void verifyOptions(SockJsHttp http, String url, String methods) throws IOException {
        for (String origin : new String[] {null, "test", "null"}) {
            SockJsHttp.Response r = origin == null ? http.options(url) : http.options(url, "Origin: " + origin);
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.header("cache-control")).contains("public").containsPattern("max-age=[1-9][0-9]{6}");
            assertThat(r.header("expires")).isNotBlank();
            assertThat(Long.parseLong(r.header("access-control-max-age"))).isGreaterThan(1_000_000);
            assertThat(r.header("access-control-allow-methods")).isEqualTo(methods);
            assertThat(r.body()).isEmpty();
            cors(r, origin);
        }
    }
}
