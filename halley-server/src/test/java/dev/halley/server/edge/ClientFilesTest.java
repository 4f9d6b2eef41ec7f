package dev.halley.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The browser client's files: {@code /halley.js}, the same file as an ES module at
 * {@code /halley.mjs}, and the postMessage bridge page, which carries cors-origins as the
 * origins it may serve (escaped for a script block). Their behaviour in a browser is tested in
 * halley-browser-tests.
 */
@Timeout(30)
class ClientFilesTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.CORS_ORIGINS, "https://a.example, https://b.example</script>"));

    @Test
    void theModuleIsTheScriptWithItsExports() throws Exception {
        HttpResponse<String> script = server.get("/halley.js");
        HttpResponse<String> module = server.get("/halley.mjs");
        assertThat(module.statusCode()).isEqualTo(200);
        assertThat(module.headers().firstValue("content-type")).hasValue("application/javascript; charset=UTF-8");
        assertThat(module.body()).startsWith(script.body());
        assertThat(module.body().substring(script.body().length()))
                .contains("export default Halley;").contains("export var connect = Halley.connect");
        assertThat(module.headers().firstValue("etag")).isNotEqualTo(script.headers().firstValue("etag"));
    }

    @Test
    void theBridgeServesTheConfiguredOriginsOnly() throws Exception {
        HttpResponse<String> bridge = server.get("/bridge.html");
        assertThat(bridge.statusCode()).isEqualTo(200);
        assertThat(bridge.headers().firstValue("content-type")).hasValue("text/html; charset=UTF-8");
        assertThat(bridge.body())
                .contains("Halley._serveBridge([\"https://a.example\",\"https://b.example\\u003c/script>\"]);")
                .doesNotContain("[\"*\"]")
                .contains("<script src=\"halley.js\"></script>");
    }
}
