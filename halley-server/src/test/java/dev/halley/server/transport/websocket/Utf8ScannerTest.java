package dev.halley.server.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The incremental UTF-8 check agrees with the JDK's strict decoder, whole and split at every point. */
class Utf8ScannerTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "", "41", "c3a9", "e282ac", "f09f9880", "ed9fbf", "ee8080", "f48fbfbf", "efbfbf",
        "80", "c0af", "c1bf", "c328", "e0809f", "eda080", "edbfbf", "f08f8080", "f4908080", "f5808080", "ff",
        "c3", "e282", "f09f98", "41c3a9e282acf09f9880", "41e28241"})
    void agreesWithTheJdkWholeAndSplitAnywhere(String hex) {
        byte[] bytes = hex(hex);
        boolean valid = jdkAccepts(bytes);
        assertThat(whole(bytes)).as("%s whole", hex).isEqualTo(valid);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(split(bytes, cut)).as("%s split at %d", hex, cut).isEqualTo(valid);
        }
    }

    @Test
    void agreesWithTheJdkOnRandomBytes() {
        Random random = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[1 + random.nextInt(8)];
            random.nextBytes(bytes);
            if (random.nextBoolean()) {
                bytes[0] = (byte) (0xC0 | random.nextInt(0x40)); // more lead bytes than chance gives
            }
            assertThat(whole(bytes)).as("%s", java.util.HexFormat.of().formatHex(bytes)).isEqualTo(jdkAccepts(bytes));
        }
    }

    private static boolean whole(byte[] bytes) {
        return Utf8Scanner.scan(Utf8Scanner.COMPLETE, Unpooled.wrappedBuffer(bytes)) == Utf8Scanner.COMPLETE;
    }

    private static boolean split(byte[] bytes, int cut) {
        int state = Utf8Scanner.scan(Utf8Scanner.COMPLETE, Unpooled.wrappedBuffer(bytes, 0, cut));
        state = Utf8Scanner.scan(state, Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
        return state == Utf8Scanner.COMPLETE;
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }
}
