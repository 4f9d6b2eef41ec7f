package dev.halley.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.core.Hub;
import dev.halley.core.InMemoryBroker;
import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyConfig;
import dev.halley.server.Metrics;
import dev.halley.server.ServerContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.HashedWheelTimer;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * After a WebSocket upgrade the guard and its first-byte watcher leave the pipeline, so no HTTP
 * deadline closes the upgraded connection, and the connection is still counted when it closes.
 */
@Timeout(30)
class RequestGuardUpgradeTest {
    private HashedWheelTimer timer;
    private Hub hub;
    private ServerContext server;
    private RequestGuardHandler guard;
    private EmbeddedChannel ch;

    @BeforeEach
    void setUp() {
        HalleyConfig config = HalleyConfig.defaults().with(ConfigKey.HEADER_TIMEOUT, "200ms").with(ConfigKey.IDLE_TIMEOUT, "200ms");
        timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
        hub = new Hub(new InMemoryBroker(config.historyLimits()));
        server = new ServerContext(config, hub, new Metrics(), timer, new Json(config.maxJsonDepth()),
                new Cors(config.corsOrigins()), () -> false);
        guard = new RequestGuardHandler(server);
        ch = new EmbeddedChannel(guard.firstByteWatcher(), guard);
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
        timer.stop();
        hub.close();
    }

    @Test
    void withoutAnUpgradeTheHeaderDeadlineCloses() {
        ch.writeInbound(Unpooled.copiedBuffer("GET /x", StandardCharsets.US_ASCII));
        ReferenceCountUtil.release(ch.readInbound());
        await().pollInSameThread().atMost(Duration.ofSeconds(5)).until(() -> {
            ch.runPendingTasks();
            return !ch.isOpen();
        });
        assertThat(server.metrics().timeoutCount(Metrics.Deadline.HEADERS)).isEqualTo(1);
        assertThat(server.metrics().openConnections()).isZero();
    }

    @Test
    void afterAnUpgradeNoHttpDeadlineRuns() {
        ch.pipeline().fireUserEventTriggered(RequestGuardHandler.UpgradedEvent.INSTANCE);
        assertThat(ch.pipeline().context(guard)).isNull();
        assertThat(ch.pipeline().context(guard.firstByteWatcher())).isNull();

        ch.writeInbound(Unpooled.copiedBuffer(new byte[] {(byte) 0x81, 0x02, 'h', 'i'}));
        ReferenceCountUtil.release(ch.readInbound());
        await().pollInSameThread().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> {
            ch.runPendingTasks();
            return ch.isOpen();
        });
        assertThat(server.metrics().openConnections()).isEqualTo(1);
        ch.close();
        assertThat(server.metrics().openConnections()).as("counted on the close future").isZero();
    }
}
