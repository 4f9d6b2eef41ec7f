package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageTest {
    private static final Message.Slot<String> SHAPE_A = new Message.Slot<>();
    private static final Message.Slot<byte[]> SHAPE_B = new Message.Slot<>();

    private static Message message(String data) {
        return new Message("/chat/room-1", "Ab3dE9fG0h", 18, 1_732_460_000_000L, data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jsonIsTheWireObjectWithDataVerbatim() {
        Message m = message("{\"text\":\"h\u00e9llo \\\"x\\\"\",\"n\":[1,2.5e3,null]}");
        assertThat(new String(m.json(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"channel\":\"/chat/room-1\",\"offset\":18,\"data\":{\"text\":\"h\u00e9llo \\\"x\\\"\",\"n\":[1,2.5e3,null]},"
                        + "\"time\":1732460000000}");
    }

    @Test
    void jsonOfScalarData() {
        assertThat(message("42").json()).isEqualTo(
                "{\"channel\":\"/chat/room-1\",\"offset\":18,\"data\":42,\"time\":1732460000000}".getBytes(StandardCharsets.US_ASCII));
        assertThat(message("\"s\"").json()).isEqualTo(
                "{\"channel\":\"/chat/room-1\",\"offset\":18,\"data\":\"s\",\"time\":1732460000000}".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void jsonIsBuiltOnce() {
        Message m = message("true");
        assertThat(m.json()).isSameAs(m.json());
    }

    @Test
    void encodingIsComputedOncePerSlot() {
        Message m = message("1");
        AtomicInteger calls = new AtomicInteger();
        String first = m.encoding(SHAPE_A, msg -> "a" + calls.incrementAndGet() + msg.offset());
        String second = m.encoding(SHAPE_A, msg -> "a" + calls.incrementAndGet() + msg.offset());
        assertThat(first).isEqualTo("a118").isSameAs(second);
        assertThat(calls).hasValue(1);

        byte[] b = m.encoding(SHAPE_B, msg -> new byte[] {(byte) calls.incrementAndGet()});
        assertThat(b).containsExactly(2);
        assertThat(m.encoding(SHAPE_B, msg -> new byte[0])).isSameAs(b);
        assertThat(m.encoding(SHAPE_A, msg -> "other")).isSameAs(first);
        assertThat(calls).hasValue(2);
    }

    @Test
    void encodingsAreCachedPerMessage() {
        Message one = message("1");
        Message two = message("2");
        assertThat(one.encoding(SHAPE_A, msg -> "one")).isEqualTo("one");
        assertThat(two.encoding(SHAPE_A, msg -> "two")).isEqualTo("two");
    }

    @Test
    void accessorsPositionWeightAndToString() {
        Message m = message("[1,2]");
        assertThat(m.channel()).isEqualTo("/chat/room-1");
        assertThat(m.epoch()).isEqualTo("Ab3dE9fG0h");
        assertThat(m.offset()).isEqualTo(18);
        assertThat(m.time()).isEqualTo(1_732_460_000_000L);
        assertThat(m.position()).isEqualTo(new Position("Ab3dE9fG0h", 18));
        assertThat(m.weight()).isEqualTo(5 + "/chat/room-1".length() + 64);
        assertThat(m).hasToString("Message[/chat/room-1@Ab3dE9fG0h:18, 5 bytes]");
    }

    @Test
    void gapJsonIsTheWireNotice() {
        assertThat(new Gap("/chat/room-1").json())
                .isEqualTo("{\"channel\":\"/chat/room-1\",\"recovered\":false}".getBytes(StandardCharsets.US_ASCII));
    }
}
