package dev.halley.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The default {@code cors-origins=*}: any origin may read, none gets credentials; and a list that
 * names {@code null} still gives {@code Origin: null} no credentials.
 */
@Timeout(30)
class CorsAnyOriginTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    @RegisterExtension
    static HalleyServerExtension listingNull = new HalleyServerExtension(c -> c
            .with(ConfigKey.CORS_ORIGINS, "https://a.example,null"));

    @Test
    void anyOriginIsEchoedWithoutCredentials() throws Exception {
        for (String origin : new String[] {"https://whatever.example", "http://localhost:3000", "null"}) {
            try (RawHttp raw = new RawHttp(server.port())) {
                raw.get("/poll?channel=/any/a", "Origin: " + origin);
                RawHttp.Head head = raw.readHead();
                assertThat(head.status()).isEqualTo(200);
                assertThat(head.header("access-control-allow-origin")).isEqualTo(origin);
                assertThat(head.header("vary")).isEqualTo("Origin");
                assertThat(head.header("access-control-allow-credentials")).as(origin).isNull();
            }
        }
    }

    @Test
    void preflightWithoutCredentials() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.send(Edge.head("OPTIONS", "/publish", "Origin: https://b.example", "Access-Control-Request-Method: POST")
                    .append("\r\n").toString());
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(204);
            assertThat(head.header("access-control-allow-origin")).isEqualTo("https://b.example");
            assertThat(head.header("access-control-allow-methods")).contains("POST");
            assertThat(head.header("access-control-max-age")).isEqualTo("600");
            assertThat(head.header("access-control-allow-credentials")).isNull();
        }
    }

    @Test
    void aListedNullOriginStillGetsNoCredentials() throws Exception {
        try (RawHttp raw = new RawHttp(listingNull.port())) {
            raw.get("/poll?channel=/any/a", "Origin: null");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("access-control-allow-origin")).isEqualTo("null");
            assertThat(head.header("access-control-allow-credentials")).isNull();
        }
        try (RawHttp raw = new RawHttp(listingNull.port())) {
            raw.get("/poll?channel=/any/a", "Origin: https://a.example");
            assertThat(raw.readHead().header("access-control-allow-credentials")).isEqualTo("true");
        }
    }
}
