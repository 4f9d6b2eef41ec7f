package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.errors;
import static dev.halley.server.edge.Edge.readError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to {@code POST /api/publish} at the default limits: every malformed body gets a 400
 * with the right code, is counted, publishes nothing, keeps the connection usable and leaves
 * other clients alone; the batch forms publish in order.
 */
@Timeout(30)
class PublishApiInputTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    static Stream<Arguments> badJson() {
        return Stream.of(
                Arguments.of("truncated", ascii("{\"channel\":\"/bad/json\",\"data\":{\"a\":")),
                Arguments.of("malformed", ascii("{\"channel\":\"/bad/json\",\"data\":tru}")),
                Arguments.of("trailing garbage", ascii("{\"channel\":\"/bad/json\",\"data\":1} x")),
                Arguments.of("empty", new byte[0]),
                Arguments.of("nested 10,000 deep", ascii("{\"channel\":\"/bad/json\",\"data\":" + "[".repeat(10_000)
                        + "]".repeat(10_000) + "}")),
                Arguments.of("10,000-digit number", ascii("{\"channel\":\"/bad/json\",\"data\":" + "9".repeat(10_000) + "}")),
                Arguments.of("invalid UTF-8 start byte", withRaw("\"a", 0xFF, "b\"")),
                Arguments.of("truncated UTF-8 sequence", withRaw("\"a", 0xC3, "\"")),
                Arguments.of("overlong UTF-8", withRaw("\"a", 0xC0, 0xAF, "\"")),
                Arguments.of("UTF-8 encoded surrogate", withRaw("\"a", 0xED, 0xA0, 0x80, "\"")),
                Arguments.of("not an object", ascii("\"just a string\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void badJsonIs400BadJson(String what, byte[] body) throws Exception {
        assertRefused(body, 400, "bad_json");
    }

    static Stream<Arguments> badChannel() {
        return Stream.of(
                Arguments.of("missing", "{\"data\":1}"),
                Arguments.of("not a string", "{\"channel\":7,\"data\":1}"),
                Arguments.of("forbidden characters", "{\"channel\":\"/bad chan<nel>\",\"data\":1}"),
                Arguments.of("over 255 characters", "{\"channel\":\"/" + "c".repeat(255) + "\",\"data\":1}"),
                Arguments.of("a wildcard", "{\"channel\":\"/bad/*\",\"data\":1}"),
                Arguments.of("empty", "{\"channel\":\"\",\"data\":1}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badChannel")
    void badChannelIs400BadChannel(String what, String body) throws Exception {
        assertRefused(ascii(body), 400, "bad_channel");
    }

    @Test
    void aChannelOfExactly255CharactersIsAccepted() throws Exception {
        String channel = "/" + "c".repeat(254);
        assertThat(server.publish(channel, "1")).isEqualTo("{\"channel\":\"" + channel + "\",\"offset\":1}");
    }

    @Test
    void missingDataIs400() throws Exception {
        assertRefused(ascii("{\"channel\":\"/no/data\"}"), 400, "bad_json");
    }

    @Test
    void publishingToMetaIs403() throws Exception {
        assertRefused(ascii("{\"channel\":\"/meta/x\",\"data\":1}"), 403, "forbidden");
        assertThat(server.get("/poll?channel=/meta/x&since=0").statusCode()).isEqualTo(403);
    }

    @Test
    void emptyBatchesAre400() throws Exception {
        assertRefused(ascii("{\"messages\":[]}"), 400, "bad_json");
        assertRefused(ascii("[]"), 400, "bad_json");
    }

    @Test
    void aBatchWithOneBadMessagePublishesNone() throws Exception {
        assertRefused(ascii("{\"messages\":[{\"channel\":\"/batch/bad\",\"data\":1},{\"channel\":\"/bad chan\",\"data\":2}]}"),
                400, "bad_channel");
        assertThat(server.get("/poll?channel=/batch/bad&since=0").body()).startsWith("{\"messages\":[]");
    }

    @Test
    void batchFormsPublishInOrder() throws Exception {
        var r = server.post("/api/publish", "{\"messages\":[{\"channel\":\"/batch/a\",\"data\":1},"
                + "{\"channel\":\"/batch/b\",\"data\":2},{\"channel\":\"/batch/a\",\"data\":3}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"results\":[{\"channel\":\"/batch/a\",\"offset\":1},"
                + "{\"channel\":\"/batch/b\",\"offset\":1},{\"channel\":\"/batch/a\",\"offset\":2}]}");

        r = server.post("/api/publish", "[{\"channel\":\"/batch/b\",\"data\":4},{\"channel\":\"/batch/a\",\"data\":5}]");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"results\":[{\"channel\":\"/batch/b\",\"offset\":2},"
                + "{\"channel\":\"/batch/a\",\"offset\":3}]}");

        var a = Edge.JSON.readTree(server.get("/poll?channel=/batch/a&since=0").body()).get("messages");
        assertThat(a).hasSize(3);
        assertThat(a.get(0).get("data").asInt()).isEqualTo(1);
        assertThat(a.get(1).get("data").asInt()).isEqualTo(3);
        assertThat(a.get(2).get("data").asInt()).isEqualTo(5);
    }

    @Test
    void aSingleMessageAnswersWithItsOffset() throws Exception {
        var r = server.post("/api/publish", "{\"channel\":\"/single\",\"data\":{\"nested\":[1,2,{\"ok\":true}]}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"channel\":\"/single\",\"offset\":1}");
    }

    @Test
    void oneByteOverTheDefaultMibIs413() throws Exception {
        long before = errors(server, "too_large");
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("POST", "/api/publish", "Content-Length: " + (1024 * 1024 + 1)).append("\r\n").toString());
            readError(raw, 413, "too_large");
            Edge.assertClosedByServer(raw);
        }
        assertThat(errors(server, "too_large")).isEqualTo(before + 1);
    }

    @Test
    void exactlyOneMibIsPublished() throws Exception {
        var r = server.post("/api/publish", Edge.publishBodyOfSize("/mib", 1024 * 1024));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"channel\":\"/mib\",\"offset\":1}");
    }

    /** Sends {@code body}, expects the error, checks the counter, a bystander, and that the connection is still usable. */
    private void assertRefused(byte[] body, int status, String code) throws Exception {
        long before = errors(server, code);
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.request("POST", "/api/publish", body, "Content-Type: application/json"));
            readError(raw, status, code);
            raw.send(Edge.head("GET", "/healthz").append("\r\n").toString());
            assertThat(raw.readHead().status()).as("keep-alive connection still usable").isEqualTo(200);
            other.assertUnaffected();
        }
        assertThat(errors(server, code)).isEqualTo(before + 1);
        assertThat(server.get("/poll?channel=/bad/json&since=0").body()).startsWith("{\"messages\":[]");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code {"channel":"/bad/json","data":<parts>}} where int parts are raw bytes. */
    private static byte[] withRaw(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("{\"channel\":\"/bad/json\",\"data\":"));
        for (Object p : parts) {
            if (p instanceof Integer b) {
                out.write(b);
            } else {
                out.writeBytes(ascii((String) p));
            }
        }
        out.writeBytes(ascii("}"));
        return out.toByteArray();
    }
}
