package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire vocabularies (close reasons, reply errors) and the validated limits records. */
class VocabularyTest {

    @Test
    void closeReasonsHaveTheirWireCodesAndWebSocketStatuses() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("normal", 1000);
        expected.put("budget", 1000);
        expected.put("shutdown", 1001);
        expected.put("slow", 1008);
        expected.put("protocol_error", 1002);
        expected.put("too_large", 1009);
        expected.put("bad_data", 1007);
        expected.put("unsupported_data", 1003);
        expected.put("too_many", 1008);
        expected.put("heartbeat_timeout", 1001);
        expected.put("internal", 1011);
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (CloseReason r : CloseReason.values()) {
            actual.put(r.code(), r.webSocketStatus());
        }
        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    @Test
    void replyErrorsHaveTheirWireCodesAndHttpStatuses() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("bad_request", 400);
        expected.put("bad_json", 400);
        expected.put("bad_channel", 400);
        expected.put("bad_cursor", 400);
        expected.put("bad_callback", 400);
        expected.put("unauthorized", 401);
        expected.put("forbidden", 403);
        expected.put("not_found", 404);
        expected.put("method_not_allowed", 405);
        expected.put("too_large", 413);
        expected.put("too_many", 429);
        expected.put("uri_too_long", 414);
        expected.put("headers_too_large", 431);
        expected.put("unavailable", 503);
        expected.put("internal", 500);
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (ReplyError e : ReplyError.values()) {
            actual.put(e.code(), e.httpStatus());
        }
        assertThat(actual).containsExactlyEntriesOf(expected);
        assertThat(Arrays.stream(ReplyError.values()).map(ReplyError::code)).allMatch(c -> c.matches("[a-z_]+"));
    }

    @Test
    void halleyExceptionCarriesItsErrorAndASafeSentence() {
        HalleyException e = new HalleyException(ReplyError.TOO_MANY, "Slow down.");
        assertThat(e.error()).isEqualTo(ReplyError.TOO_MANY);
        assertThat(e).hasMessage("Slow down.").hasNoCause();
        assertThat(e.getStackTrace()).isEmpty(); // cheap to throw at the edge
    }

    @Test
    void epochsAreShortRandomAndValidated() {
        String e = Epochs.random();
        assertThat(e).matches("[0-9a-zA-Z]{10}");
        assertThat(Epochs.random()).isNotEqualTo(e);
        assertThat(Epochs.isValid("a-b_C9")).isTrue();
        assertThat(Epochs.isValid("x".repeat(64))).isTrue();
        assertThat(Epochs.isValid("x".repeat(65))).isFalse();
        assertThat(Epochs.isValid("")).isFalse();
        assertThat(Epochs.isValid(null)).isFalse();
        assertThat(Epochs.isValid("a.b")).isFalse();
        assertThat(Epochs.isValid("\u0661")).isFalse();
    }

    @Test
    void feedLimitsDefaultsAndValidation() {
        assertThat(FeedLimits.DEFAULT).isEqualTo(new FeedLimits(1000, 1 << 20, 128));
        assertThatThrownBy(() -> new FeedLimits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FeedLimits(1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FeedLimits(1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void historyLimitsDefaultsAndValidation() {
        assertThat(HistoryLimits.DEFAULT).isEqualTo(new HistoryLimits(100, Duration.ofSeconds(300), Duration.ofHours(1)));
        assertThatThrownBy(() -> new HistoryLimits(-1, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HistoryLimits(1, Duration.ofSeconds(-1), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HistoryLimits(1, Duration.ofSeconds(10), Duration.ofSeconds(9)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
