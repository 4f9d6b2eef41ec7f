package dev.halley.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Json#isUtf8} agrees with the JDK's strict decoder. */
class JsonUtf8Test {
    @Test
    void edgeCases() {
        assertValid("plain ascii", "");
        assertValid("é ü ß € 𝄞 \uFFFD \uD7FF \uE000 \uDBFF\uDFFF");
        for (int[] bad : new int[][] {
                {0xFF}, {0x80}, {0xBF}, {0xC0, 0xAF}, {0xC1, 0xBF}, {0xC3}, {0xE2, 0x82}, {0xE0, 0x80, 0xAF},
                {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF}, {0xF0, 0x80, 0x80, 0xAF}, {0xF4, 0x90, 0x80, 0x80},
                {0xF5, 0x80, 0x80, 0x80}, {0xF8, 0x88, 0x80, 0x80, 0x80}, {0xC3, 0x28}, {0xE2, 0x28, 0xA1}}) {
            byte[] b = new byte[bad.length + 2];
            b[0] = 'a';
            for (int i = 0; i < bad.length; i++) {
                b[i + 1] = (byte) bad[i];
            }
            b[b.length - 1] = 'z';
            assertThat(Json.isUtf8(b, 0, b.length)).as("bytes %s", java.util.Arrays.toString(bad)).isFalse();
            assertThat(jdk(b)).isFalse();
        }
    }

    @Test
    void agreesWithTheJdkOnRandomBytes() {
        Random random = new Random(42);
        for (int n = 0; n < 200_000; n++) {
            byte[] b = new byte[1 + random.nextInt(6)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(256));
            }
            assertThat(Json.isUtf8(b, 0, b.length)).as("bytes %s", java.util.Arrays.toString(b)).isEqualTo(jdk(b));
        }
    }

    @Test
    void respectsOffsetAndLength() {
        byte[] b = {(byte) 0xFF, 'o', 'k', (byte) 0xC3};
        assertThat(Json.isUtf8(b, 1, 2)).isTrue();
        assertThat(Json.isUtf8(b, 1, 3)).isFalse();
    }

    private static void assertValid(String... texts) {
        for (String t : texts) {
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            assertThat(Json.isUtf8(b, 0, b.length)).as(t).isTrue();
        }
    }

    private static boolean jdk(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
