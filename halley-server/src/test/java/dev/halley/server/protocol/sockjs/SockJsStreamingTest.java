package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sockjs-protocol 0.3.3, "XhrStreaming", "EventSource", "HtmlFile" and "Http 1.0 and 1.1
 * chunking", over raw HTTP: each frame is its own chunk, byte for byte, and the test services end
 * a stream once it has carried 4,096 bytes.
 */
@Timeout(30)
class SockJsStreamingTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true"));

    private final SockJsHttp http = new SockJsHttp(server);

    // XhrStreaming.test_options
    @Test
    void xhrStreamingPreflight() throws Exception {
        SockJsAssertions.verifyOptions(http, SockJsHttp.base("echo") + "/abc/abc/xhr_streaming", "OPTIONS, POST");
    }

    // XhrStreaming.test_transport
    @Test
    void xhrStreaming() throws Exception {
        String url = SockJsHttp.session("echo");
        try (SockJsHttp.Stream r = http.stream("POST", url + "/xhr_streaming")) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type").replace(" ", "")).isEqualTo("application/javascript;charset=UTF-8");
            SockJsAssertions.cors(r.header("access-control-allow-origin"), r.header("access-control-allow-credentials"), null);
            SockJsAssertions.notCached(r.header("cache-control"), r.header("expires"), r.header("last-modified"));
            assertThat(r.read()).isEqualTo("h".repeat(2048) + "\n");
            assertThat(r.read()).isEqualTo("o\n");
            SockJsHttp.Response send = http.post(url + "/xhr_send", "[\"x\"]");
            assertThat(send.status()).isEqualTo(204);
            assertThat(send.body()).isEmpty();
            assertThat(r.read()).isEqualTo("a[\"x\"]\n");
        }
    }

    // EventSource.test_transport
    @Test
    void eventSource() throws Exception {
        String url = SockJsHttp.session("echo");
        try (SockJsHttp.Stream r = http.stream("GET", url + "/eventsource")) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type").replace(" ", "")).isEqualTo("text/event-stream;charset=UTF-8");
            SockJsAssertions.notCached(r.header("cache-control"), r.header("expires"), r.header("last-modified"));
            assertThat(r.read()).isEqualTo("\r\n");
            assertThat(r.read()).isEqualTo("data: o\r\n\r\n");
            SockJsHttp.Response send = http.post(url + "/xhr_send", "[\"x\"]");
            assertThat(send.body()).isEmpty();
            assertThat(send.status()).isEqualTo(204);
            assertThat(r.read()).isEqualTo("data: a[\"x\"]\r\n\r\n");
            send = http.post(url + "/xhr_send", "[\"  \\u0000\\n\\r \"]");
            assertThat(send.status()).isEqualTo(204);
            assertThat(r.read()).isEqualTo("data: a[\"  \\u0000\\n\\r \"]\r\n\r\n");
        }
    }

    // HtmlFile.test_transport
    @Test
    void htmlfile() throws Exception {
        String head = """
                <!doctype html>
                <html><head>
                  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
                  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
                </head><body><h2>Don't panic!</h2>
                  <script>
                    document.domain = document.domain;
                    var c = parent.callback;
                    c.start();
                    function p(d) {c.message(d);};
                    window.onload = function() {c.stop();};
                  </script>""";
        String url = SockJsHttp.session("echo");
        try (SockJsHttp.Stream r = http.stream("GET", url + "/htmlfile?c=%63allback")) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type").replace(" ", "")).isEqualTo("text/html;charset=UTF-8");
            SockJsAssertions.notCached(r.header("cache-control"), r.header("expires"), r.header("last-modified"));
            String d = r.read();
            assertThat(d.strip()).isEqualTo(head);
            assertThat(d.length()).isGreaterThan(1024);
            assertThat(r.read()).isEqualTo("<script>\np(\"o\");\n</script>\r\n");
            SockJsHttp.Response send = http.post(url + "/xhr_send", "[\"x\"]");
            assertThat(send.status()).isEqualTo(204);
            assertThat(r.read()).isEqualTo("<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n");
            // A message cannot end the script block: its < is escaped in the message, and stays so in the frame.
            http.post(url + "/xhr_send", "[\"</script><script>alert(1)</script>\"]");
            assertThat(r.read()).isEqualTo("<script>\np(\"a[\\\"\\\\u003c/script>\\\\u003cscript>alert(1)\\\\u003c/script>\\\"]\");\n</script>\r\n")
                    .doesNotContain("</script><script>alert");
        }
    }

    /** The three streams, as far as the budget is concerned: how each wraps a frame. */
    enum Stream {
        XHR_STREAMING("POST", "/xhr_streaming"),
        EVENTSOURCE("GET", "/eventsource"),
        HTMLFILE("GET", "/htmlfile?c=callback");

        final String method;
        final String path;

        Stream(String method, String path) {
            this.method = method;
            this.path = path;
        }

        String wrap(String frame) {
            return switch (this) {
                case XHR_STREAMING -> frame + "\n";
                case EVENTSOURCE -> "data: " + frame + "\r\n\r\n";
                case HTMLFILE -> "<script>\np(\"" + frame.replace("\\", "\\\\").replace("\"", "\\\"") + "\");\n</script>\r\n";
            };
        }
    }

    /**
     * XhrStreaming.test_response_limit (31 messages of 130 bytes), and the same rule for the other
     * streams: a stream of a test service ends as soon as it has carried 4,096 bytes, its framing
     * included and its prelude not; not one frame earlier.
     */
    @ParameterizedTest
    @EnumSource(Stream.class)
    void streamEndsOnceItCarried4096Bytes(Stream t) throws Exception {
        String url = SockJsHttp.session("echo");
        String msg = "\"" + "x".repeat(128) + "\"";
        try (SockJsHttp.Stream r = http.stream(t.method, url + t.path)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.read()).isNotEmpty(); // prelude
            String open = r.read();
            assertThat(open).isEqualTo(t.wrap("o"));
            int carried = open.getBytes(StandardCharsets.UTF_8).length;
            while (carried < 4096) {
                assertThat(http.post(url + "/xhr_send", "[" + msg + "]").status()).isEqualTo(204);
                String frame = r.read();
                assertThat(frame).isEqualTo(t.wrap("a[" + msg + "]"));
                carried += frame.getBytes(StandardCharsets.UTF_8).length;
            }
            assertThat(r.read()).isNull();
            // The session lives on: the next stream picks it up where the last ended.
            assertThat(http.post(url + "/xhr_send", "[\"after\"]").status()).isEqualTo(204);
        }
        try (SockJsHttp.Stream next = http.stream(t.method, url + t.path)) {
            next.read();
            assertThat(next.read()).isEqualTo(t.wrap("a[\"after\"]"));
        }
    }

    // EventSource.test_response_limit, HtmlFile.test_response_limit: one message over the budget ends the stream.
    @ParameterizedTest
    @EnumSource(Stream.class)
    void oneLargeMessageEndsTheStream(Stream t) throws Exception {
        String url = SockJsHttp.session("echo");
        String msg = "\"" + "x".repeat(4096) + "\"";
        try (SockJsHttp.Stream r = http.stream(t.method, url + t.path)) {
            assertThat(r.read()).isNotEmpty();
            assertThat(r.read()).isEqualTo(t.wrap("o"));
            assertThat(http.post(url + "/xhr_send", "[" + msg + "]").status()).isEqualTo(204);
            assertThat(r.read()).isEqualTo(t.wrap("a[" + msg + "]"));
            assertThat(r.read()).isNull();
        }
    }

    // Http10.test_synchronous
    @Test
    void http10KeepAlive() throws Exception {
        try (RawHttp c = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            SockJsHttp.send(c, "GET", SockJsHttp.base("echo"), "1.0", null, "Connection: Keep-Alive");
            RawHttp.Head head = c.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).isNull();
            assertThat(head.header("content-length")).isEqualTo("19");
            assertThat(c.readBody(head)).isEqualTo("Welcome to SockJS!\n");
            assertThat(head.header("connection").toLowerCase()).isEqualTo("keep-alive");
            SockJsHttp.send(c, "GET", SockJsHttp.base("echo"), "1.0", null, "Connection: Keep-Alive");
            assertThat(c.readHead().status()).isEqualTo(200);
        }
    }

    // Http10.test_streaming
    @Test
    void http10StreamIsNotChunkedAndEndsWithTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            SockJsHttp.send(c, "POST", SockJsHttp.session("close") + "/xhr_streaming", "1.0", null, "Connection: Keep-Alive");
            RawHttp.Head head = c.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).isNull();
            assertThat(head.header("content-length")).isNull();
            assertThat(c.readBytes(2049)[0]).isEqualTo((byte) 'h');
            assertThat(new String(c.readBytes(2), StandardCharsets.US_ASCII)).isEqualTo("o\n");
            assertThat(new String(c.readBytes(19), StandardCharsets.US_ASCII)).isEqualTo("c[3000,\"Go away!\"]\n");
            c.setDeadline(Duration.ofSeconds(2));
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    // Http11.test_synchronous
    @Test
    void http11KeepAlive() throws Exception {
        try (RawHttp c = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            SockJsHttp.send(c, "GET", SockJsHttp.base("echo"), "1.1", null, "Connection: Keep-Alive");
            RawHttp.Head head = c.readHead();
            assertThat(head.header("connection")).isNull();
            assertThat(head.header("content-length")).isEqualTo("19");
            assertThat(head.header("transfer-encoding")).isNull();
            assertThat(c.readBody(head)).isEqualTo("Welcome to SockJS!\n");
            SockJsHttp.send(c, "GET", SockJsHttp.base("echo"), "1.1", null, "Connection: Keep-Alive");
            assertThat(c.readHead().status()).isEqualTo(200);
        }
    }

    // Http11.test_streaming
    @Test
    void http11StreamIsChunked() throws Exception {
        try (RawHttp c = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            SockJsHttp.send(c, "POST", SockJsHttp.session("close") + "/xhr_streaming", "1.1", null, "Connection: Keep-Alive");
            RawHttp.Head head = c.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
            assertThat(head.header("content-length")).isNull();
            assertThat(c.readChunk()[0]).isEqualTo((byte) 'h');
            assertThat(new String(c.readChunk(), StandardCharsets.US_ASCII)).isEqualTo("o\n");
            assertThat(new String(c.readChunk(), StandardCharsets.US_ASCII)).isEqualTo("c[3000,\"Go away!\"]\n");
            assertThat(c.readChunk()).isNull();
        }
    }

    // A stream at its budget ends, but the connection stays for the client's next request.
    @Test
    void streamAtItsBudgetKeepsTheConnection() throws Exception {
        String url = SockJsHttp.session("echo");
        try (RawHttp c = new RawHttp(server.port(), SockJsHttp.DEADLINE)) {
            SockJsHttp.send(c, "GET", url + "/eventsource", "1.1", null);
            c.readHead();
            c.readChunk();
            c.readChunk();
            http.post(url + "/xhr_send", "[\"" + "y".repeat(5000) + "\"]");
            assertThat(new String(c.readChunk(), StandardCharsets.US_ASCII)).startsWith("data: a[\"yyy");
            assertThat(c.readChunk()).isNull();
            SockJsHttp.send(c, "GET", url + "/eventsource", "1.1", null);
            assertThat(c.readHead().status()).isEqualTo(200);
        }
    }
}
