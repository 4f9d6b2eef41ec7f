package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.errors;
import static dev.halley.server.edge.Edge.readError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import dev.halley.server.testing.WsClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code cors-origins} set to one origin: it gets credentials, every other origin is refused. */
@Timeout(30)
class CorsAllowListTest {
    static final String ALLOWED = "https://a.example";

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.CORS_ORIGINS, ALLOWED)
            .with(ConfigKey.MAX_PUBLISH_BODY, "1KiB"));

    @Test
    void theListedOriginGetsCredentials() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=/cors/a", "Origin: " + ALLOWED);
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("access-control-allow-origin")).isEqualTo(ALLOWED);
            assertThat(head.header("vary")).isEqualTo("Origin");
            assertThat(head.header("access-control-allow-credentials")).isEqualTo("true");
        }
    }

    @Test
    void errorsToTheListedOriginAreReadableToo() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=" + Edge.enc("bad chan"), "Origin: " + ALLOWED);
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(400);
            assertThat(head.header("access-control-allow-origin")).isEqualTo(ALLOWED);
            Edge.assertError(raw.readBody(head), "bad_channel");
        }
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.post("/api/publish", Edge.publishBodyOfSize("/cors/big", 1025), "Origin: " + ALLOWED));
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(413);
            assertThat(head.header("access-control-allow-origin")).as("a 413 from the guard").isEqualTo(ALLOWED);
            assertThat(head.header("access-control-allow-credentials")).isEqualTo("true");
            Edge.assertError(raw.readBody(head), "too_large");
        }
    }

    @Test
    void anotherOriginIs403() throws Exception {
        long before = errors(server, "forbidden");
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=/cors/a", "Origin: https://evil.example");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(403);
            assertThat(head.header("access-control-allow-origin")).isNull();
            assertThat(head.header("access-control-allow-credentials")).isNull();
            Edge.assertError(raw.readBody(head), "forbidden");
            other.assertUnaffected();
        }
        assertThat(errors(server, "forbidden")).isEqualTo(before + 1);
    }

    @Test
    void anotherOriginCannotPublish() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.post("/publish", "{\"channel\":\"/cors/p\",\"data\":1}", "Origin: https://a.example.evil.example"));
            readError(raw, 403, "forbidden");
        }
        assertThat(server.get("/poll?channel=/cors/p&since=0").body()).startsWith("{\"messages\":[]");
    }

    @Test
    void preflightFromTheListedOriginIs204() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("OPTIONS", "/api/publish", "Origin: " + ALLOWED, "Access-Control-Request-Method: POST",
                    "Access-Control-Request-Headers: content-type, authorization").append("\r\n").toString());
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(204);
            assertThat(head.header("access-control-allow-origin")).isEqualTo(ALLOWED);
            assertThat(head.header("access-control-allow-credentials")).isEqualTo("true");
            assertThat(head.header("access-control-allow-methods")).contains("POST").contains("GET");
            assertThat(head.header("access-control-allow-headers")).containsIgnoringCase("Content-Type")
                    .containsIgnoringCase("Authorization");
            assertThat(head.header("access-control-max-age")).isEqualTo("600");
            assertThat(head.header("content-length")).isIn(null, "0");
            // The connection goes on after a preflight.
            raw.get("/healthz", "Origin: " + ALLOWED);
            assertThat(raw.readHead().status()).isEqualTo(200);
        }
    }

    @Test
    void preflightFromAnotherOriginIs403() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("OPTIONS", "/api/publish", "Origin: https://evil.example", "Access-Control-Request-Method: POST")
                    .append("\r\n").toString());
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(403);
            assertThat(head.header("access-control-allow-origin")).isNull();
            Edge.assertError(raw.readBody(head), "forbidden");
        }
    }

    @Test
    void theServersOwnOriginIsAllowedWithoutBeingListed() throws Exception {
        String host = "127.0.0.1:" + server.port();
        try (RawHttp raw = new RawHttp(server.port())) {
            String body = "{\"channel\":\"/cors/own\",\"data\":1}";
            raw.send("POST /publish HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("access-control-allow-origin")).as("same origin: no CORS needed").isNull();
        }
        try (WsClient ws = WsClient.connect(server, Map.of("Origin", "http://" + host))) {
            ws.send("{\"op\":\"subscribe\",\"channel\":\"/cors/own\",\"id\":1}");
            assertThat(ws.nextJson().get("ok").asBoolean()).isTrue();
        }
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=/cors/a", "Origin: http://127.0.0.1:1");
            assertThat(raw.readHead().status()).as("another port is another origin").isEqualTo(403);
        }
    }

    @Test
    void originNullIsNotTrusted() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=/cors/a", "Origin: null");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(403);
            assertThat(head.header("access-control-allow-origin")).isNull();
            assertThat(head.header("access-control-allow-credentials")).isNull();
            Edge.assertError(raw.readBody(head), "forbidden");
        }
    }

    @Test
    void noOriginMeansNoCorsHeaders() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/poll?channel=/cors/a");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("access-control-allow-origin")).isNull();
            assertThat(head.header("access-control-allow-credentials")).isNull();
        }
    }
}
