package dev.halley.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.Cursor;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps the JMH suite from rotting without running JMH: each benchmark's setup, its benchmark
 * methods once, and its teardown, called directly, with a check that each did the work it claims
 * to measure.
 */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class JmhSmokeTest {

    @Test
    void publishFanoutDeliversToEverySubscriber() {
        PublishFanoutBenchmark b = new PublishFanoutBenchmark();
        b.subscribers = 100;
        b.setUp();
        PublishFanoutBenchmark.Deliveries counter = new PublishFanoutBenchmark.Deliveries();
        counter.reset();
        assertThat(b.publish(counter)).isEqualTo(100);
        assertThat(b.publish(counter)).isEqualTo(100);
        assertThat(counter.deliveries).isEqualTo(200);
        b.tearDown();
    }

    @Test
    void encodingsProduceTheirWireShapes() {
        EncodingBenchmark b = new EncodingBenchmark();
        b.setUp();
        try {
            assertThat(new String(b.jsonFirstBuild(), StandardCharsets.UTF_8)).startsWith("{\"channel\":\"rooms/lobby-7\"");
            assertThat(b.jsonCached()).hasSize(181);
            assertThat(text(b.ndjsonLineFirstBuild())).endsWith("}\n");
            assertThat(text(b.ndjsonLine())).startsWith("{\"channel\"").endsWith("}\n");
            assertThat(text(b.ndjsonBatchOfOne())).contains("}\n{\"cursor\":\"");
            assertThat(text(b.sseEvent())).startsWith("id: ").contains("\ndata: {\"channel\"").endsWith("}\n\n");
            assertThat(b.scriptSafeEscape()).isSameAs(b.jsonCached());
            assertThat(text(b.scriptCall())).startsWith("<script>parent.halley({").endsWith(");</script>\n");
            String poll = new String(b.pollBody(), StandardCharsets.UTF_8);
            assertThat(poll).startsWith("{\"messages\":[{").endsWith(",\"recovered\":true}");
            String cursor = poll.substring(poll.indexOf("\"cursor\":\"") + 10, poll.lastIndexOf("\",\"recovered\""));
            assertThat(Cursor.decode(cursor).positions()).containsKey(Payloads.CHANNEL);
            assertThat(b.webSocketFrame()).isEqualTo(4 + 181); // 0x81, 126, 16-bit length, payload
        } finally {
            b.tearDown();
        }
    }

    @Test
    void cursorsRoundTrip() {
        for (int channels : new int[] {1, 10}) {
            CursorBenchmark b = new CursorBenchmark();
            b.channels = channels;
            b.setUp();
            assertThat(Cursor.decode(b.encode())).isEqualTo(b.decode());
            assertThat(b.decode().positions()).hasSize(channels);
            assertThat(b.advance().positions()).hasSize(channels);
        }
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }
}
