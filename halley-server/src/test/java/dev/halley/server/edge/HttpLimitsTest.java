package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.assertClosedByServer;
import static dev.halley.server.edge.Edge.errors;
import static dev.halley.server.edge.Edge.readError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP layer's own limits, over raw sockets: request line and header block sizes, request
 * smuggling, compressed bodies, unknown paths and methods, bad percent-encoding, the header
 * deadline and pipelining. Each refusal is a JSON error, counted, and leaves a long-poll held by
 * another client untouched.
 */
@Timeout(30)
class HttpLimitsTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.HEADER_TIMEOUT, "500ms")
            .with(ConfigKey.BODY_TIMEOUT, "500ms"));

    @Test
    void requestLineOverFourKibIs414AndCloses() throws Exception {
        Edge.assertRefusedAndClosed(server, getRequest("/poll?channel=/a&pad=" + "x".repeat(4100)), 414, "uri_too_long");
    }

    @Test
    void requestLineJustUnderTheLimitIsServed() throws Exception {
        String prefix = "GET /poll?channel=/a&pad=";
        String suffix = " HTTP/1.1";
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=/a&pad=" + "x".repeat(4000 - prefix.length() - suffix.length()));
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(raw.readBody(head)).startsWith("{\"messages\":[]");
        }
    }

    @Test
    void oneHeaderOverEightKibIs431AndCloses() throws Exception {
        Edge.assertRefusedAndClosed(server, getRequest("/healthz", "X-Filler: " + "y".repeat(9000)), 431, "headers_too_large");
    }

    @Test
    void headerFloodOverEightKibIs431AndCloses() throws Exception {
        long before = errors(server, "headers_too_large");
        String[] flood = new String[400];
        for (int i = 0; i < flood.length; i++) {
            flood[i] = "X-Flood-" + i + ": abcdefgh";
        }
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.get("/healthz", flood);
            readError(raw, 431, "headers_too_large");
            assertClosedByServer(raw);
            other.assertUnaffected();
        }
        assertThat(errors(server, "headers_too_large")).isEqualTo(before + 1);
    }

    @Test
    void contentLengthWithChunkedIsRefusedAndTheSmuggledRequestNeverRuns() throws Exception {
        long before = errors(server, "bad_request");
        String smuggled = Edge.head("POST", "/api/publish", "Content-Length: 4", "Transfer-Encoding: chunked")
                .append("\r\n0\r\n\r\n")
                .append(Edge.head("GET", "/healthz")).append("\r\n").toString();
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(smuggled);
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(400);
            assertThat(head.header("connection")).isEqualTo("close");
            Edge.assertError(raw.readBody(head), "bad_request");
            raw.setDeadline(Duration.ofSeconds(5));
            assertThat(raw.readToEnd()).as("nothing after the refusal").isEmpty();
            other.assertUnaffected();
        }
        assertThat(errors(server, "bad_request")).isEqualTo(before + 1);
    }

    @Test
    void transferEncodingOnHttp10IsRefused() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send("POST /api/publish HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            readError(raw, 400, "bad_request");
            assertClosedByServer(raw);
        }
    }

    @Test
    void twoDifferentContentLengthsAreRefused() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Content-Length: 2", "Content-Length: 30").append("\r\n{}").toString());
            readError(raw, 400, "bad_request");
            assertClosedByServer(raw);
        }
    }

    @Test
    void gzipBodyIsRefused() throws Exception {
        long before = errors(server, "bad_request");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write("{\"channel\":\"/gz\",\"data\":1}".getBytes(StandardCharsets.US_ASCII));
        }
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.request("POST", "/api/publish", gz.toByteArray(), "Content-Encoding: gzip",
                    "Content-Type: application/json"));
            readError(raw, 400, "bad_request");
            assertClosedByServer(raw);
            other.assertUnaffected();
        }
        assertThat(errors(server, "bad_request")).isEqualTo(before + 1);
        assertThat(server.get("/poll?channel=/gz&since=0").body()).startsWith("{\"messages\":[]");
    }

    @Test
    void unknownPathIs404JsonAndTheConnectionStaysUsable() throws Exception {
        long before = errors(server, "not_found");
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/no/such/path");
            readError(raw, 404, "not_found");
            raw.get("/healthz");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(raw.readBody(head)).startsWith("{\"status\":\"ok\"");
        }
        assertThat(errors(server, "not_found")).isEqualTo(before + 1);
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        long before = errors(server, "method_not_allowed");
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("DELETE", "/api/publish").append("\r\n").toString());
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(405);
            assertThat(head.header("allow")).isEqualTo("POST");
            Edge.assertError(raw.readBody(head), "method_not_allowed");

            raw.send(Edge.post("/poll?channel=/a", "{}"));
            head = raw.readHead();
            assertThat(head.status()).isEqualTo(405);
            assertThat(head.header("allow")).isEqualTo("GET");
            Edge.assertError(raw.readBody(head), "method_not_allowed");
        }
        assertThat(errors(server, "method_not_allowed")).isEqualTo(before + 2);
    }

    @Test
    void badPercentEncodingIs400() throws Exception {
        long before = errors(server, "bad_request");
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=%zz");
            readError(raw, 400, "bad_request");
            raw.get("/po%ll?channel=/a");
            readError(raw, 400, "bad_request");
            raw.get("/healthz");
            assertThat(raw.readHead().status()).as("connection still usable").isEqualTo(200);
        }
        assertThat(errors(server, "bad_request")).isEqualTo(before + 2);
    }

    @Test
    void halfARequestLineIsClosedAfterTheHeaderTimeout() throws Exception {
        String series = "halley_timeouts_total{phase=\"headers\"}";
        long before = Edge.counter(server, series);
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send("GET /poll?chan");
            long t0 = System.nanoTime();
            assertClosedByServer(raw);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).isBetween(400L, 4000L);
            other.assertUnaffected();
        }
        assertThat(Edge.counter(server, series)).isEqualTo(before + 1);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            long t0 = System.nanoTime();
            assertClosedByServer(raw);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(4000L);
        }
    }

    @Test
    void pipelinedRequestsGetTheirResponsesInOrder() throws Exception {
        server.publish("/pipe/second", "2");
        try (RawHttp raw = new RawHttp(server.port())) {
            // The first is held for 300 ms; the second must still come after it.
            raw.send(Edge.head("GET", "/longpoll?channel=/pipe/first&timeout=0.3").append("\r\n")
                    .append(Edge.head("GET", "/poll?channel=/pipe/second&since=0")).append("\r\n").toString());
            RawHttp.Head first = raw.readHead();
            assertThat(first.status()).isEqualTo(200);
            assertThat(raw.readBody(first)).startsWith("{\"messages\":[]");
            RawHttp.Head second = raw.readHead();
            assertThat(second.status()).isEqualTo(200);
            assertThat(raw.readBody(second)).startsWith("{\"messages\":[{\"channel\":\"/pipe/second\"");
        }
    }

    @Test
    void aBadRequestBehindAHeldOneIsAnsweredAfterIt() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("GET", "/longpoll?channel=/pipe/held&timeout=0.3").append("\r\n")
                    .append("THIS IS NOT HTTP\r\n\r\n").toString());
            RawHttp.Head first = raw.readHead();
            assertThat(first.status()).isEqualTo(200);
            assertThat(raw.readBody(first)).startsWith("{\"messages\":[]");
            readError(raw, 400, "bad_request");
            assertClosedByServer(raw);
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        String body = "{\"channel\":\"/expect/a\",\"data\":1}";
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Expect: 100-continue", "Content-Length: " + body.length())
                    .append("\r\n").toString());
            RawHttp.Head interim = raw.readHead();
            assertThat(interim.status()).isEqualTo(100);
            raw.send(body);
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(raw.readBody(head)).isEqualTo("{\"channel\":\"/expect/a\",\"offset\":1}");
        }
    }

    @Test
    void anUnknownExpectationIs417AndTheConnectionGoesOnWithoutTheBody() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            // A client waits for the interim answer before the body; refused, it never sends it.
            raw.send(Edge.head("POST", "/api/publish", "Expect: something-else", "Content-Length: 40").append("\r\n").toString());
            RawHttp.Head refused = raw.readHead();
            assertThat(refused.status()).isEqualTo(417);
            assertThat(refused.header("content-length")).isEqualTo("0");
            raw.get("/healthz");
            assertThat(raw.readHead().status()).as("the connection goes on").isEqualTo(200);
        }
    }

    /** The bytes {@link RawHttp#get} would send. */
    private static String getRequest(String path, String... headers) {
        StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }
}
