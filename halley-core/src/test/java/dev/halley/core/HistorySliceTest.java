package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistorySliceTest {
    /** Channel at offset 10 whose history holds offsets 6..10. */
    private static final HistorySlice TRIMMED = new HistorySlice("/a", "E", 10, 6, List.of());

    @Test
    void reachesFromTheMessageBeforeTheOldestHeldUpToTheTop() {
        assertThat(TRIMMED.reaches(5, "E")).isTrue();
        assertThat(TRIMMED.reaches(8, "E")).isTrue();
        assertThat(TRIMMED.reaches(10, "E")).isTrue();
    }

    @Test
    void doesNotReachPastTrimmedHistory() {
        assertThat(TRIMMED.reaches(4, "E")).isFalse();
        assertThat(TRIMMED.reaches(0, "E")).isFalse();
    }

    @Test
    void doesNotReachAheadOfTheChannel() {
        assertThat(TRIMMED.reaches(11, "E")).isFalse();
        assertThat(TRIMMED.reaches(Long.MAX_VALUE, "E")).isFalse();
    }

    @Test
    void anotherEpochNeverReaches() {
        assertThat(TRIMMED.reaches(8, "F")).isFalse();
        assertThat(TRIMMED.reaches(10, "e")).isFalse();
    }

    @Test
    void unknownEpochIsJudgedByOffsetsAlone() {
        assertThat(TRIMMED.reaches(8, null)).isTrue();
        assertThat(TRIMMED.reaches(4, null)).isFalse();
        assertThat(TRIMMED.reaches(11, null)).isFalse();
    }

    @Test
    void emptyChannelIsReachedFromZeroOnly() {
        HistorySlice empty = new HistorySlice("/a", "E", 0, 1, List.of());
        assertThat(empty.reaches(0, "E")).isTrue();
        assertThat(empty.reaches(1, "E")).isFalse();
    }

    @Test
    void fullyTrimmedChannelIsReachedFromItsTopOnly() {
        HistorySlice gone = new HistorySlice("/a", "E", 7, 8, List.of());
        assertThat(gone.reaches(7, "E")).isTrue();
        assertThat(gone.reaches(6, "E")).isFalse();
        assertThat(gone.top()).isEqualTo(new Position("E", 7));
    }
}
