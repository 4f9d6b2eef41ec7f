package dev.halley.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyConfig;
import dev.halley.server.HalleyServer;
import dev.halley.server.ServerContext;
import dev.halley.server.testing.LeakGuard;
import dev.halley.server.testing.RawHttp;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Protocol doors own a whole path space ({@code /sockjs/**}, {@code /cometd/**}): the longest prefix wins. */
@Timeout(30)
class PrefixRouteTest {
    static HalleyServer server;

    @BeforeAll
    static void start() throws Exception {
        LeakGuard.install();
        Map<String, Function<ServerContext, Route>> routes = new LinkedHashMap<>();
        routes.put("/door/**", s -> answer("door"));
        routes.put("/door/inner/**", s -> answer("inner"));
        routes.put("/door/exact", s -> answer("exact"));
        server = HalleyServer.start(HalleyConfig.defaults().withPort(0).with(ConfigKey.HOST, "127.0.0.1"), routes);
    }

    private static Route answer(String name) {
        return ex -> ex.send(HttpResponseStatus.OK, "text/plain",
                Unpooled.copiedBuffer(name + " " + ex.path(), StandardCharsets.UTF_8), h -> { });
    }

    @AfterAll
    static void stop() {
        server.close();
        LeakGuard.assertNoLeaks();
    }

    @Test
    void theLongestPrefixOrAnExactPathServesARequest() throws Exception {
        assertThat(get("/door")).isEqualTo("door /door");
        assertThat(get("/door/a/b")).isEqualTo("door /door/a/b");
        assertThat(get("/door/inner/x")).isEqualTo("inner /door/inner/x");
        assertThat(get("/door/exact")).isEqualTo("exact /door/exact");
    }

    @Test
    void aSiblingThatOnlySharesLettersIsNotUnderThePrefix() throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get("/doorway");
            assertThat(raw.readHead().status()).isEqualTo(404);
        }
    }

    private static String get(String path) throws Exception {
        try (RawHttp raw = new RawHttp(server.port())) {
            raw.get(path);
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(200);
            return raw.readBody(head);
        }
    }
}
