package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelPatternTest {

    @Test
    void parsesTheThreeKinds() {
        assertThat(ChannelPattern.parse("/a/b")).isEqualTo(new ChannelPattern("/a/b", ChannelPattern.Kind.EXACT, "/a/b"));
        assertThat(ChannelPattern.parse("/a/*")).isEqualTo(new ChannelPattern("/a/*", ChannelPattern.Kind.ONE_SEGMENT, "/a/"));
        assertThat(ChannelPattern.parse("/a/**")).isEqualTo(new ChannelPattern("/a/**", ChannelPattern.Kind.ANY_DEPTH, "/a/"));
        assertThat(ChannelPattern.parse("/**")).isEqualTo(new ChannelPattern("/**", ChannelPattern.Kind.ANY_DEPTH, "/"));
        assertThat(ChannelPattern.parse("/*").base()).isEqualTo("/");
        assertThat(ChannelPattern.parse("/a/b").isWildcard()).isFalse();
        assertThat(ChannelPattern.parse("/a/*").isWildcard()).isTrue();
        assertThat(ChannelPattern.parse("/a/**")).hasToString("/a/**");
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "/a/b,   /a/b,     true",
            "/a/b,   /a/b/c,   false",
            "/a/b,   /a,       false",
            "/a/*,   /a/b,     true",
            "/a/*,   /a/b/c,   false",
            "/a/*,   /a,       false",
            "/a/*,   /a/,      false",
            "/a/*,   /ab,      false",
            "/a/*,   /b/a,     false",
            "/a/**,  /a/b,     true",
            "/a/**,  /a/b/c,   true",
            "/a/**,  /a/b/c/d, true",
            "/a/**,  /a,       false",
            "/a/**,  /a/,      false",
            "/a/**,  /ab/c,    false",
            "/**,    /a,       true",
            "/**,    /a/b/c,   true",
            "/**,    a,        false",
            "/*,     /a,       true",
            "/*,     /a/b,     false",
            "a/*,    a/b,      true",
    })
    void matches(String pattern, String channel, boolean expected) {
        assertThat(ChannelPattern.parse(pattern).matches(channel)).isEqualTo(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"*", "**", "/a*", "/a/**/b", "/a/*/b", "/a/*/**", "/a/***", "a**", "/a b/*", "/a/b*", "/*/*"})
    void rejectsInvalidPatterns(String text) {
        assertThatThrownBy(() -> ChannelPattern.parse(text))
                .isInstanceOfSatisfying(HalleyException.class, e -> assertThat(e.error()).isEqualTo(ReplyError.BAD_CHANNEL));
    }

    @Test
    void wildcardPatternIsAtMost255Characters() {
        String base = "/" + "a".repeat(250) + "/";
        assertThat(ChannelPattern.parse(base + "**").text()).hasSize(254);
        String longBase = "/" + "a".repeat(252) + "/";
        assertThat(ChannelPattern.parse(longBase + "*").text()).hasSize(255);
        assertThatThrownBy(() -> ChannelPattern.parse(longBase + "**")).isInstanceOf(HalleyException.class);
    }
}
