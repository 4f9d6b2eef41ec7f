package dev.halley.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.halley.core.Hub;
import dev.halley.core.InMemoryBroker;
import dev.halley.server.ConfigKey;
import dev.halley.server.Connections;
import dev.halley.server.HalleyConfig;
import dev.halley.server.Metrics;
import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
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
 * After a WebSocket upgrade the HTTP codec, and the request guard in it, leave the pipeline, so no
 * HTTP deadline closes the upgraded connection, the connection is still counted when it closes,
 * and bytes the decoder still held go on to the handlers behind it.
 */
@Timeout(30)
class HttpCodecHandlerUpgradeTest {
    private HashedWheelTimer timer;
    private Hub hub;
    private ServerContext server;
    private HttpCodecHandler codec;
    private EmbeddedChannel ch;

    @BeforeEach
    void setUp() {
        HalleyConfig config = HalleyConfig.defaults().with(ConfigKey.HEADER_TIMEOUT, "200ms").with(ConfigKey.IDLE_TIMEOUT, "200ms");
        timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
        hub = new Hub(new InMemoryBroker(config.historyLimits()));
        server = new ServerContext(config, hub, new Metrics(), timer, new Json(config.maxJsonDepth()),
                new Cors(config.corsOrigins()), () -> false);
        codec = new HttpCodecHandler(server, new HttpCodecHandler.Codecs(HttpPipeline.decoderConfig(server)));
        ch = new EmbeddedChannel(codec);
        new Connections(server.metrics()).accept(ch); // as HttpPipeline does for every connection
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
        assertThat((Object) ch.readInbound()).as("half a request line is not a request").isNull();
        await().pollInSameThread().atMost(Duration.ofSeconds(5)).until(() -> {
            ch.runPendingTasks();
            return !ch.isOpen();
        });
        assertThat(server.metrics().timeoutCount(Metrics.Deadline.HEADERS)).isEqualTo(1);
        assertThat(server.metrics().openConnections()).isZero();
    }

    @Test
    void afterAnUpgradeNoHttpDeadlineRuns() {
        ch.pipeline().remove(codec);

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

    @Test
    void bytesTheDecoderHeldGoOnWhenItLeaves() {
        // A request and, in the same read, the start of a next one (or of frames sent before the 101).
        ch.writeInbound(Unpooled.copiedBuffer("GET /ws HTTP/1.1\r\nHost: a\r\n\r\nGET /n", StandardCharsets.US_ASCII));
        Object head = ch.readInbound();
        assertThat(head).isInstanceOf(HttpRequest.class);
        ReferenceCountUtil.release(head);
        ReferenceCountUtil.release(ch.readInbound()); // its (empty) last content

        ch.pipeline().remove(codec);
        ByteBuf held = ch.readInbound();
        try {
            assertThat(held.toString(StandardCharsets.US_ASCII)).isEqualTo("GET /n");
        } finally {
            held.release();
        }
    }
}
