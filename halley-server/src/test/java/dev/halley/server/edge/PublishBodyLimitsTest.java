package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.assertClosedByServer;
import static dev.halley.server.edge.Edge.errors;
import static dev.halley.server.edge.Edge.readError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Body limits and body deadlines of {@code POST /api/publish} (limit lowered to 4 KiB to keep the
 * test fast): by declared length, by counted chunked bytes, lying {@code Content-Length} both
 * ways. Nothing over a limit is published.
 */
@Timeout(30)
class PublishBodyLimitsTest {
    static final int LIMIT = 4096;

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.MAX_PUBLISH_BODY, "4KiB")
            .with(ConfigKey.MAX_CLIENT_BODY, "1KiB")
            .with(ConfigKey.HEADER_TIMEOUT, "500ms")
            .with(ConfigKey.BODY_TIMEOUT, "500ms"));

    @Test
    void aBodyExactlyAtTheLimitIsPublished() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.post("/api/publish", Edge.publishBodyOfSize("/limit/at", LIMIT)));
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(raw.readBody(head)).isEqualTo("{\"channel\":\"/limit/at\",\"offset\":1}");
        }
    }

    @Test
    void oneByteOverTheLimitByContentLengthIs413AndCloses() throws Exception {
        long before = errors(server, "too_large");
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.post("/api/publish", Edge.publishBodyOfSize("/limit/over", LIMIT + 1)));
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(413);
            assertThat(head.header("connection")).isEqualTo("close");
            Edge.assertError(raw.readBody(head), "too_large");
            assertClosedByServer(raw);
            other.assertUnaffected();
        }
        assertThat(errors(server, "too_large")).isEqualTo(before + 1);
        assertNothingPublished("/limit/over");
    }

    @Test
    void anOversizedDeclaredLengthIsRefusedBeforeTheBodyIsSent() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Content-Length: " + (LIMIT + 1)).append("\r\n").toString());
            readError(raw, 413, "too_large");
            assertClosedByServer(raw);
        }
    }

    @Test
    void aClientStillSendingItsBodyReadsThe413RatherThanAReset() throws Exception {
        byte[] piece = new byte[16 * 1024];
        java.util.Arrays.fill(piece, (byte) 'x');
        int pieces = 512;
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Content-Length: " + piece.length * pieces).append("\r\n").toString());
            // The refusal is on its way back while the client goes on writing 8 MiB, more than
            // socket buffers hold: without a lingering close the server would reset the connection.
            for (int i = 0; i < pieces; i++) {
                raw.send(piece);
            }
            readError(raw, 413, "too_large");
            assertClosedByServer(raw);
        }
    }

    @Test
    void aChunkedBodyAtTheLimitIsPublished() throws Exception {
        String body = Edge.publishBodyOfSize("/limit/chunked-at", LIMIT);
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Transfer-Encoding: chunked").append("\r\n")
                    .append(Edge.chunk(body.substring(0, 1000))).append(Edge.chunk(body.substring(1000)))
                    .append("0\r\n\r\n").toString());
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(raw.readBody(head)).isEqualTo("{\"channel\":\"/limit/chunked-at\",\"offset\":1}");
        }
    }

    @Test
    void aChunkedBodyOneByteOverTheLimitIs413AndCloses() throws Exception {
        long before = errors(server, "too_large");
        String body = Edge.publishBodyOfSize("/limit/chunked-over", LIMIT + 1);
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Transfer-Encoding: chunked").append("\r\n")
                    .append(Edge.chunk(body.substring(0, 2000))).append(Edge.chunk(body.substring(2000)))
                    .append("0\r\n\r\n").toString());
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(413);
            assertThat(head.header("connection")).isEqualTo("close");
            Edge.assertError(raw.readBody(head), "too_large");
            assertClosedByServer(raw);
            other.assertUnaffected();
        }
        assertThat(errors(server, "too_large")).isEqualTo(before + 1);
        assertNothingPublished("/limit/chunked-over");
    }

    @Test
    void theClientBodyLimitAppliesOutsideTheApi() throws Exception {
        String body = "{\"channel\":\"/limit/client\",\"data\":\"" + "x".repeat(1100) + "\"}";
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.post("/publish", body));
            readError(raw, 413, "too_large");
            assertClosedByServer(raw);
        }
        assertNothingPublished("/limit/client");
    }

    @Test
    void aContentLengthShorterThanTheBodyTruncatesItAndTheRestIsNotARequest() throws Exception {
        long badJson = errors(server, "bad_json");
        long badRequest = errors(server, "bad_request");
        String json = "{\"channel\":\"/limit/short\",\"data\":1}";
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Content-Length: 12").append("\r\n").append(json).append("\r\n\r\n")
                    .toString());
            readError(raw, 400, "bad_json");
            readError(raw, 400, "bad_request");
            assertClosedByServer(raw);
            other.assertUnaffected();
        }
        assertThat(errors(server, "bad_json")).isEqualTo(badJson + 1);
        assertThat(errors(server, "bad_request")).isEqualTo(badRequest + 1);
        assertNothingPublished("/limit/short");
    }

    @Test
    void aContentLengthLongerThanTheBodyIsClosedAtTheBodyTimeout() throws Exception {
        String series = "halley_timeouts_total{phase=\"body\"}";
        long before = Edge.counter(server, series);
        String json = "{\"channel\":\"/limit/long\",\"data\":1}";
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Content-Length: " + (json.length() + 50)).append("\r\n")
                    .append(json).toString().getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            assertClosedByServer(raw);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(300L, 4000L);
            other.assertUnaffected();
        }
        assertThat(Edge.counter(server, series)).isEqualTo(before + 1);
        assertNothingPublished("/limit/long");
    }

    private static void assertNothingPublished(String channel) throws Exception {
        assertThat(server.get("/poll?channel=" + channel + "&since=0").body()).startsWith("{\"messages\":[]");
    }
}
