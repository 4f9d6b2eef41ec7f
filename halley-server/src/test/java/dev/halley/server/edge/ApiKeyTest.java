package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.errors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /api/publish} with {@code api-key} set: only the right key publishes. */
@Timeout(30)
class ApiKeyTest {
    static final String KEY = "s3cret-Key_42";

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.API_KEY, KEY));

    @Test
    void missingKeyIs401() throws Exception {
        long before = errors(server, "unauthorized");
        Edge.assertError(server.post("/api/publish", "{\"channel\":\"/key/a\",\"data\":1}"), 401, "unauthorized");
        assertThat(errors(server, "unauthorized")).isEqualTo(before + 1);
        assertNothingPublished();
    }

    @ParameterizedTest
    @ValueSource(strings = {"apikey wrong", "apikey " + KEY + "x", "apikey s3cret-Key_4", "Bearer " + KEY, KEY, "apikey ",
            "apikey S3CRET-KEY_42"})
    void wrongKeyIs401(String authorization) throws Exception {
        long before = errors(server, "unauthorized");
        HttpResponse<String> r = publishWith(authorization);
        Edge.assertError(r, 401, "unauthorized");
        assertThat(r.body()).doesNotContain(KEY);
        assertThat(errors(server, "unauthorized")).isEqualTo(before + 1);
        assertNothingPublished();
    }

    @Test
    void rightKeyPublishes() throws Exception {
        HttpResponse<String> r = publishWith("apikey " + KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"channel\":\"/key/ok\",\"offset\":1}");
    }

    @Test
    void theSchemeIsCaseInsensitive() throws Exception {
        HttpResponse<String> r = publishWith("ApiKey " + KEY, "/key/case");
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void clientPublishDoesNotNeedTheKey() throws Exception {
        HttpResponse<String> r = server.post("/publish", "{\"channel\":\"/key/client\",\"data\":1}");
        assertThat(r.statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> publishWith(String authorization) throws Exception {
        return publishWith(authorization, authorization.equals("apikey " + KEY) ? "/key/ok" : "/key/a");
    }

    private HttpResponse<String> publishWith(String authorization, String channel) throws Exception {
        return server.http().send(HttpRequest.newBuilder(server.uri("/api/publish")).timeout(Duration.ofSeconds(10))
                        .header("Authorization", authorization)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"" + channel + "\",\"data\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertNothingPublished() throws Exception {
        assertThat(server.get("/poll?channel=/key/a&since=0").body()).startsWith("{\"messages\":[]");
    }
}
