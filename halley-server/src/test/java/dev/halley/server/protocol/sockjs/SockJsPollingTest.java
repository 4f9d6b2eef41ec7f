package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.ReplyError;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sockjs-protocol 0.3.3, "XhrPolling" and "JsonPolling", over raw HTTP: framing, content types,
 * CORS, caching, and the exact answers to bad input.
 */
@Timeout(30)
class SockJsPollingTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true"));

    private static final String FORM = "Content-Type: application/x-www-form-urlencoded";
    private final SockJsHttp http = new SockJsHttp(server);

    // XhrPolling.test_options
    @Test
    void xhrPreflights() throws Exception {
        for (String suffix : List.of("/xhr", "/xhr_send")) {
            SockJsAssertions.verifyOptions(http, SockJsHttp.base("echo") + "/abc/abc" + suffix, "OPTIONS, POST");
        }
    }

    // XhrPolling.test_transport
    @Test
    void xhrTransport() throws Exception {
        String url = SockJsHttp.session("echo");
        SockJsHttp.Response r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("o\n");
        assertThat(r.header("content-type").replace(" ", "")).isEqualTo("application/javascript;charset=UTF-8");
        SockJsAssertions.cors(r, null);
        SockJsAssertions.notCached(r);

        r = http.post(url + "/xhr_send", "[\"x\"]");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(r.header("content-type")).isEqualTo("text/plain; charset=UTF-8");
        SockJsAssertions.cors(r, null);
        SockJsAssertions.notCached(r);

        r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a[\"x\"]\n");
    }

    // XhrPolling.test_invalid_session
    @Test
    void sendingToAnUnknownSessionIsNotFound() throws Exception {
        assertThat(http.post(SockJsHttp.session("echo") + "/xhr_send", "[\"x\"]").status()).isEqualTo(404);
    }

    // XhrPolling.test_invalid_json
    @Test
    void xhrSendRefusesBrokenJsonAndNoPayload() throws Exception {
        String url = SockJsHttp.session("echo");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        long badJson = server.server().metrics().errorCount(ReplyError.BAD_JSON);

        SockJsHttp.Response r = http.post(url + "/xhr_send", "[\"x");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).contains("Broken JSON encoding.");
        r = http.post(url + "/xhr_send", "");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).contains("Payload expected.");
        r = http.post(url + "/xhr_send", "[1]"); // not strings
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).contains("Broken JSON encoding.");
        assertThat(server.server().metrics().errorCount(ReplyError.BAD_JSON)).isEqualTo(badJson + 3);

        r = http.post(url + "/xhr_send", "[\"a\"]");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a[\"a\"]\n");
    }

    // XhrPolling.test_content_types
    @Test
    void xhrSendTakesAnyContentType() throws Exception {
        String url = SockJsHttp.session("echo");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        List<String> types = List.of("text/plain", "T", "application/json", "application/xml", "",
                "application/json; charset=utf-8", "text/xml; charset=utf-8", "text/xml");
        for (String type : types) {
            SockJsHttp.Response r = http.post(url + "/xhr_send", "[\"a\"]", "Content-Type: " + type);
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.body()).isEmpty();
        }
        SockJsHttp.Response r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a[" + String.join(",", Collections.nCopies(types.size(), "\"a\"")) + "]\n");
    }

    // XhrPolling.test_request_headers_cors
    @Test
    void requestHeadersAreEchoedForCors() throws Exception {
        SockJsHttp.Response r = http.post(SockJsHttp.session("echo") + "/xhr", null, "Access-Control-Request-Headers: a, b, c");
        assertThat(r.status()).isEqualTo(200);
        SockJsAssertions.cors(r, null);
        assertThat(r.header("access-control-allow-headers")).isEqualTo("a, b, c");

        r = http.post(SockJsHttp.session("echo") + "/xhr", null, "Access-Control-Request-Headers: ");
        assertThat(r.status()).isEqualTo(200);
        SockJsAssertions.cors(r, null);
        assertThat(r.header("access-control-allow-headers")).isNull();

        r = http.post(SockJsHttp.session("echo") + "/xhr", null, "Origin: https://app.example");
        SockJsAssertions.cors(r, "https://app.example");
        assertThat(r.header("access-control-allow-headers")).isNull();
    }

    // JsonPolling.test_transport
    @Test
    void jsonpTransport() throws Exception {
        String url = SockJsHttp.session("echo");
        SockJsHttp.Response r = http.get(url + "/jsonp?c=%63allback");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type").replace(" ", "")).isEqualTo("application/javascript;charset=UTF-8");
        SockJsAssertions.notCached(r);
        assertThat(r.body()).isEqualTo("callback(\"o\");\r\n");

        r = http.post(url + "/jsonp_send", "d=%5B%22x%22%5D", FORM);
        assertThat(r.body()).isEqualTo("ok");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type").replace(" ", "")).isEqualTo("text/plain;charset=UTF-8");
        SockJsAssertions.notCached(r);

        r = http.get(url + "/jsonp?c=%63allback");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("callback(\"a[\\\"x\\\"]\");\r\n");
    }

    // JsonPolling.test_no_callback, HtmlFile.test_no_callback, and callbacks that are not names
    @Test
    void callbackIsRequiredAndChecked() throws Exception {
        long bad = server.server().metrics().errorCount(ReplyError.BAD_CALLBACK);
        for (String transport : List.of("/jsonp", "/htmlfile")) {
            SockJsHttp.Response r = http.get(SockJsHttp.base("echo") + "/a/a" + transport);
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.body()).contains("\"callback\" parameter required");
            r = http.get(SockJsHttp.base("echo") + "/a/a" + transport + "?c=alert(1)//");
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.body()).isEqualTo("invalid \"callback\" parameter").doesNotContain("alert");
        }
        assertThat(server.server().metrics().errorCount(ReplyError.BAD_CALLBACK)).isEqualTo(bad + 4);
    }

    // JsonPolling.test_invalid_json
    @Test
    void jsonpSendRefusesBrokenJsonAndNoPayload() throws Exception {
        String url = SockJsHttp.session("echo");
        assertThat(http.get(url + "/jsonp?c=x").body()).isEqualTo("x(\"o\");\r\n");
        SockJsHttp.Response r = http.post(url + "/jsonp_send", "d=%5B%22x", FORM);
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).contains("Broken JSON encoding.");
        for (String data : List.of("", "d=", "p=p")) {
            r = http.post(url + "/jsonp_send", data, FORM);
            assertThat(r.status()).as(data).isEqualTo(500);
            assertThat(r.body()).contains("Payload expected.");
        }
        r = http.post(url + "/jsonp_send", "d=%5B%22b%22%5D", FORM);
        assertThat(r.body()).isEqualTo("ok");
        r = http.get(url + "/jsonp?c=x");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("x(\"a[\\\"b\\\"]\");\r\n");
    }

    // JsonPolling.test_content_types
    @Test
    void jsonpSendTakesFormsAndRawBodies() throws Exception {
        String url = SockJsHttp.session("echo");
        assertThat(http.get(url + "/jsonp?c=x").body()).isEqualTo("x(\"o\");\r\n");
        assertThat(http.post(url + "/jsonp_send", "d=%5B%22abc%22%5D", FORM).body()).isEqualTo("ok");
        assertThat(http.post(url + "/jsonp_send", "[\"%61bc\"]", "Content-Type: text/plain").body()).isEqualTo("ok");
        SockJsHttp.Response r = http.get(url + "/jsonp?c=x");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("x(\"a[\\\"abc\\\",\\\"%61bc\\\"]\");\r\n");
    }

    // JsonPolling.test_close
    @Test
    void jsonpClose() throws Exception {
        String url = SockJsHttp.session("close");
        assertThat(http.get(url + "/jsonp?c=x").body()).isEqualTo("x(\"o\");\r\n");
        assertThat(http.get(url + "/jsonp?c=x").body()).isEqualTo("x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
        assertThat(http.get(url + "/jsonp?c=x").body()).isEqualTo("x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
    }

    // Methods a transport does not take: 405 with Allow and nothing else.
    @Test
    void wrongMethodIs405WithAllowAndNoBody() throws Exception {
        long before = server.server().metrics().errorCount(ReplyError.METHOD_NOT_ALLOWED);
        SockJsHttp.Response r = http.get(SockJsHttp.session("echo") + "/xhr");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("allow")).isEqualTo("OPTIONS, POST");
        assertThat(r.header("content-type")).isNull();
        assertThat(r.body()).isEmpty();
        r = http.post(SockJsHttp.session("echo") + "/jsonp?c=x", null);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("allow")).isEqualTo("GET");
        assertThat(server.server().metrics().errorCount(ReplyError.METHOD_NOT_ALLOWED)).isEqualTo(before + 2);
    }
}
