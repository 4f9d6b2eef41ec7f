package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sockjs-protocol 0.3.3, "Static URLs": the greeting, the iframe page and {@code /info}, over raw
 * HTTP. Test names follow the suite's ({@code BaseUrlGreeting.test_greeting} → {@link #greeting()}).
 */
@Timeout(30)
class SockJsStaticUrlsTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true")
            .with(ConfigKey.SOCKJS_CLIENT_URL, "/static/sockjs.min.js"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ECHO = SockJsHttp.base("echo");
    /** The suite's {@code IframePage.iframe_body}. */
    private static final Pattern IFRAME_BODY = Pattern.compile("""
            ^<!DOCTYPE html>
            <html>
            <head>
              <meta http-equiv="X-UA-Compatible" content="IE=edge" />
              <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
              <script>
                document.domain = document.domain;
                _sockjs_onload = function\\(\\)\\{SockJS.bootstrap_iframe\\(\\);\\};
              </script>
              <script src="(?<url>[^"]*)"></script>
            </head>
            <body>
              <h2>Don't panic!</h2>
              <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
            </body>
            </html>$""");

    private final SockJsHttp http = new SockJsHttp(server);

    // BaseUrlGreeting.test_greeting
    @Test
    void greeting() throws Exception {
        for (String url : List.of(ECHO, ECHO + "/")) {
            SockJsHttp.Response r = http.get(url);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type").replace(" ", "")).isEqualTo("text/plain;charset=UTF-8");
            assertThat(r.body()).isEqualTo("Welcome to SockJS!\n");
            assertThat(r.header("set-cookie")).isNull();
        }
    }

    // BaseUrlGreeting.test_notFound, and services that do not exist
    @Test
    void notFound() throws Exception {
        for (String suffix : List.of("/a", "/a.html", "//", "///", "/a/a", "/a/a/", "/a", "/a/")) {
            assertThat(http.get(ECHO + suffix).status()).as(suffix).isEqualTo(404);
        }
        assertThat(http.get("/sockjs/no_such_service/info").status()).isEqualTo(404);
        assertThat(http.get("/sockjs").status()).isEqualTo(404);
    }

    // IframePage.test_simpleUrl, test_versionedUrl, test_queriedUrl
    @Test
    void iframePageUnderEveryVersionedName() throws Exception {
        for (String suffix : List.of("/iframe.html", "/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html",
                "/iframe-0.1.2abc-dirty.2144.html", "/iframe-a.html?t=1234", "/iframe-0.1.2.html?t=123414",
                "/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123")) {
            SockJsHttp.Response r = http.get(ECHO + suffix);
            assertThat(r.status()).as(suffix).isEqualTo(200);
            assertThat(r.header("content-type").replace(" ", "")).isEqualTo("text/html;charset=UTF-8");
            assertThat(r.header("cache-control")).contains("public").containsPattern("max-age=[1-9][0-9]{6}");
            assertThat(r.header("expires")).isNotBlank();
            assertThat(r.header("etag")).isNotBlank();
            assertThat(r.header("last-modified")).isNull();
            Matcher m = IFRAME_BODY.matcher(r.body().strip());
            assertThat(m.matches()).as(r.body()).isTrue();
            assertThat(m.group("url")).isEqualTo("/static/sockjs.min.js");
            assertThat(r.header("set-cookie")).isNull();
        }
    }

    // IframePage.test_invalidUrl
    @Test
    void malformedIframeUrlsAreNotFound() throws Exception {
        for (String suffix : List.of("/iframe.htm", "/iframe", "/IFRAME.HTML", "/IFRAME", "/iframe.HTML", "/iframe.xml",
                "/iframe-/.html")) {
            assertThat(http.get(ECHO + suffix).status()).as(suffix).isEqualTo(404);
        }
    }

    // IframePage.test_cacheability
    @Test
    void iframePageAnswersIfNoneMatchWith304() throws Exception {
        SockJsHttp.Response r1 = http.get(ECHO + "/iframe.html");
        SockJsHttp.Response r2 = http.get(ECHO + "/iframe.html");
        assertThat(r1.header("etag")).isNotBlank().isEqualTo(r2.header("etag"));
        SockJsHttp.Response r = http.get(ECHO + "/iframe.html", "If-None-Match: " + r1.header("etag"));
        assertThat(r.status()).isEqualTo(304);
        assertThat(r.header("content-type")).isNull();
        assertThat(r.body()).isEmpty();
    }

    // InfoTest.test_basic
    @Test
    void info() throws Exception {
        SockJsHttp.Response r = http.get(ECHO + "/info");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type").replace(" ", "")).isEqualTo("application/json;charset=UTF-8");
        assertThat(r.header("set-cookie")).isNull();
        SockJsAssertions.notCached(r);
        SockJsAssertions.cors(r, null);
        JsonNode data = JSON.readTree(r.body());
        assertThat(data.get("websocket").asBoolean()).isTrue();
        assertThat(data.get("cookie_needed").isBoolean()).isTrue();
        assertThat(data.get("origins").toString()).isEqualTo("[\"*:*\"]");
        assertThat(data.get("entropy").isIntegralNumber()).isTrue();
    }

    // InfoTest.test_entropy
    @Test
    void infoEntropyDiffersEachTime() throws Exception {
        JsonNode a = JSON.readTree(http.get(ECHO + "/info").body());
        JsonNode b = JSON.readTree(http.get(ECHO + "/info").body());
        assertThat(a.get("entropy").asLong()).isBetween(0L, 0xFFFFFFFFL).isNotEqualTo(b.get("entropy").asLong());
    }

    // InfoTest.test_options
    @Test
    void infoPreflight() throws Exception {
        SockJsAssertions.verifyOptions(http, ECHO + "/info", "OPTIONS, GET");
    }

    // InfoTest.test_options_null_origin
    @Test
    void infoPreflightFromFileOriginGetsStar() throws Exception {
        SockJsHttp.Response r = http.options(ECHO + "/info", "Origin: null");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(r.header("access-control-allow-origin")).isEqualTo("*");
    }

    // InfoTest.test_disabled_websocket, JsessionidCookie.test_basic
    @Test
    void infoTellsWhatTheServiceOffers() throws Exception {
        SockJsHttp.Response r = http.get(SockJsHttp.base("disabled_websocket_echo") + "/info");
        assertThat(r.status()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("websocket").asBoolean()).isFalse();
        r = http.get(SockJsHttp.base("cookie_needed_echo") + "/info");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("set-cookie")).isNull();
        assertThat(JSON.readTree(r.body()).get("cookie_needed").asBoolean()).isTrue();
    }

    // A real browser's preflight carries Access-Control-Request-Method: the door answers it, not the router.
    @Test
    void browserPreflightIsTheSockJsOne() throws Exception {
        SockJsHttp.Response r = http.options(ECHO + "/000/abc/xhr_send", "Origin: https://app.example",
                "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("access-control-allow-methods")).isEqualTo("OPTIONS, POST");
        assertThat(r.header("access-control-allow-headers")).isEqualTo("content-type");
        assertThat(r.header("access-control-allow-credentials")).isEqualTo("true");
    }
}
