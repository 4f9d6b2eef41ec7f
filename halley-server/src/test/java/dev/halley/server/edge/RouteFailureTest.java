package dev.halley.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.ReplyError;
import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyConfig;
import dev.halley.server.HalleyServer;
import dev.halley.server.ServerContext;
import dev.halley.server.http.Route;
import dev.halley.server.testing.LeakGuard;
import dev.halley.server.testing.RawHttp;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An exception inside one connection's handler answers 500 and closes that connection only. */
@Timeout(30)
class RouteFailureTest {
    static HalleyServer server;

    @BeforeAll
    static void start() throws Exception {
        LeakGuard.install();
        Map<String, Function<ServerContext, Route>> routes = Map.of("/boom", s -> ex -> {
            throw new IllegalStateException("a bug in a route");
        });
        server = HalleyServer.start(HalleyConfig.defaults().withPort(0).with(ConfigKey.HOST, "127.0.0.1"), routes);
    }

    @AfterAll
    static void stop() {
        server.close();
        LeakGuard.assertNoLeaks();
    }

    @Test
    void aFailingRouteClosesOnlyItsConnection() throws Exception {
        long before = server.metrics().errorCount(ReplyError.INTERNAL);
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.get("/boom");
            RawHttp.Head head = raw.readHead();
            assertThat(head.status()).isEqualTo(500);
            String body = raw.readBody(head);
            Edge.assertError(body, "internal");
            assertThat(body).doesNotContain("a bug in a route");
            Edge.assertClosedByServer(raw);
            other.assertUnaffected();
        }
        assertThat(server.metrics().errorCount(ReplyError.INTERNAL)).isEqualTo(before + 1);
    }
}
