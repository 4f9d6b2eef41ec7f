package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.bench.Seen.Outcome;
import org.junit.jupiter.api.Test;

/** The per-channel check every bench client makes: each number once, late ones told from repeats. */
class SeenTest {

    @Test
    void inOrderNumbersAreNewAndRepeatsAreCaught() {
        Seen seen = new Seen();
        assertThat(seen.accept(1)).isEqualTo(Outcome.NEW);
        assertThat(seen.accept(2)).isEqualTo(Outcome.NEW);
        assertThat(seen.accept(2)).isEqualTo(Outcome.REPEAT);
        assertThat(seen.accept(1)).isEqualTo(Outcome.REPEAT);
        assertThat(seen.accept(0)).isEqualTo(Outcome.REPEAT);
        assertThat(seen.distinct()).isEqualTo(2);
        assertThat(seen.missing()).isZero();
    }

    @Test
    void aJumpLeavesNumbersMissingUntilTheyArriveLate() {
        Seen seen = new Seen();
        assertThat(seen.accept(4)).isEqualTo(Outcome.NEW);
        assertThat(seen.missing()).isEqualTo(3);
        assertThat(seen.accept(2)).isEqualTo(Outcome.LATE);
        assertThat(seen.accept(2)).isEqualTo(Outcome.REPEAT);
        assertThat(seen.accept(1)).isEqualTo(Outcome.LATE);
        assertThat(seen.accept(3)).isEqualTo(Outcome.LATE);
        assertThat(seen.accept(3)).isEqualTo(Outcome.REPEAT);
        assertThat(seen.missing()).isZero();
        assertThat(seen.distinct()).isEqualTo(4);
        assertThat(seen.highest()).isEqualTo(4);
    }
}
