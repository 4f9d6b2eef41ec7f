package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNameTest {
    private static final String ALLOWED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@/";

    @Test
    void acceptsEveryAllowedCharacter() {
        assertThat(ChannelName.isValid(ALLOWED)).isTrue();
        for (char c : ALLOWED.toCharArray()) {
            assertThat(ChannelName.isValid(String.valueOf(c))).as("%s", c).isTrue();
        }
    }

    @Test
    void rejectsEveryOtherAsciiCharacter() {
        for (char c = 0; c < 128; c++) {
            if (ALLOWED.indexOf(c) < 0) {
                assertThat(ChannelName.isValid("/chat" + c + "x")).as("char %d", (int) c).isFalse();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/caf\u00e9", "/\u0661\u0662", "/\uff11", "/\u0130", "/a\ud83d\ude00", "/a\u2028b", "/a\u0000"})
    void rejectsNonAsciiLettersAndDigits(String name) {
        assertThat(ChannelName.isValid(name)).isFalse();
    }

    @Test
    void isAtMost255Characters() {
        String max = "/" + "a".repeat(ChannelName.MAX_LENGTH - 1);
        assertThat(max).hasSize(255);
        assertThat(ChannelName.isValid(max)).isTrue();
        assertThat(ChannelName.isValid(max + "a")).isFalse();
    }

    @Test
    void nullAndEmptyAreInvalid() {
        assertThat(ChannelName.isValid(null)).isFalse();
        assertThat(ChannelName.isValid("")).isFalse();
    }

    @Test
    void checkReturnsTheNameOrThrowsBadChannelWithASentence() {
        assertThat(ChannelName.check("/news")).isEqualTo("/news");
        assertThatThrownBy(() -> ChannelName.check(""))
                .isInstanceOfSatisfying(HalleyException.class, e -> assertThat(e.error()).isEqualTo(ReplyError.BAD_CHANNEL))
                .hasMessage("A channel name is required.");
        assertThatThrownBy(() -> ChannelName.check("/" + "a".repeat(255)))
                .isInstanceOfSatisfying(HalleyException.class, e -> assertThat(e.error()).isEqualTo(ReplyError.BAD_CHANNEL))
                .hasMessage("A channel name is at most 255 characters.");
        assertThatThrownBy(() -> ChannelName.check("/a b"))
                .isInstanceOfSatisfying(HalleyException.class, e -> assertThat(e.error()).isEqualTo(ReplyError.BAD_CHANNEL))
                .hasMessage("A channel name may hold only letters, digits and _ - . : @ /.");
    }
}
