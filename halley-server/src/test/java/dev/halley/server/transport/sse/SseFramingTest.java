package dev.halley.server.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Message;
import dev.halley.core.Position;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field-injection guards of the SSE framing, without a socket. */
class SseFramingTest {
    private final SseFraming framing = new SseFraming();

    @Test
    void fieldValuesWithLineBreaksOrNulAreRejected() {
        assertThat(SseFraming.fieldValue("MXwxfG5ld3N-ZX4x")).isEqualTo("MXwxfG5ld3N-ZX4x");
        assertThatThrownBy(() -> SseFraming.fieldValue("a\nevent: x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SseFraming.fieldValue("a\rdata: x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SseFraming.fieldValue("a\0")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyLineOfDataGetsItsOwnDataField() {
        assertThat(text(SseFraming.data("{\"a\":1}".getBytes(StandardCharsets.UTF_8)))).isEqualTo("data: {\"a\":1}\n\n");
        assertThat(text(SseFraming.data("{\r\n\"a\":\r1\n}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("data: {\ndata: \"a\":\ndata: 1\ndata: }\n\n");
    }

    @Test
    void messageEventCarriesTheCursorAfterItAsId() {
        Message m = new Message("news", "e1", 7, 1000, "\"x\"".getBytes(StandardCharsets.UTF_8));
        Cursor after = new Cursor(Map.of("news", new Position("e1", 7)), 5);
        ByteBuf out = Unpooled.buffer();
        try {
            framing.message(m, after, out);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("id: " + after.encode()
                    + "\ndata: {\"channel\":\"news\",\"offset\":7,\"data\":\"x\",\"time\":1000}\n\n");
        } finally {
            out.release();
        }
    }

    @Test
    void budgetEndWritesNothingOtherEndsWriteAReconnectEvent() {
        Cursor c = new Cursor(Map.of("news", new Position("e1", 7)), 5);
        ByteBuf out = Unpooled.buffer();
        try {
            framing.reconnect(CloseReason.BUDGET, c, out);
            assertThat(out.readableBytes()).isZero();
            framing.reconnect(CloseReason.SLOW, c, out);
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .isEqualTo("event: reconnect\ndata: {\"reason\":\"slow\",\"cursor\":\"" + c.encode() + "\"}\n\n");
        } finally {
            out.release();
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
