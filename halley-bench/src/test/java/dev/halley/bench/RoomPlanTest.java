package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Chat rooms are filled evenly, each client in distinct rooms, the same way for the same seed. */
class RoomPlanTest {

    @Test
    void roomsAreFilledEvenlyWithDistinctRoomsPerClient() {
        RoomPlan plan = RoomPlan.spread(1_003, 100, 10, 1);
        int[] members = plan.members();
        assertThat(Arrays.stream(members).sum()).isEqualTo(10_030);
        assertThat(Arrays.stream(members).max().getAsInt() - Arrays.stream(members).min().getAsInt()).isLessThanOrEqualTo(1);
        for (int[] rooms : plan.roomsOf()) {
            assertThat(Arrays.stream(rooms).distinct().count()).isEqualTo(10);
            assertThat(Arrays.stream(rooms).min().getAsInt()).isGreaterThanOrEqualTo(0);
            assertThat(Arrays.stream(rooms).max().getAsInt()).isLessThan(100);
        }
    }

    @Test
    void theSameSeedGivesTheSamePlanAndAnotherSeedAnother() {
        assertThat(RoomPlan.spread(200, 100, 10, 7).roomsOf()).isDeepEqualTo(RoomPlan.spread(200, 100, 10, 7).roomsOf());
        assertThat(Arrays.deepEquals(RoomPlan.spread(200, 100, 10, 7).roomsOf(), RoomPlan.spread(200, 100, 10, 8).roomsOf())).isFalse();
    }

    @Test
    void moreRoomsPerClientThanRoomsIsRefused() {
        assertThatThrownBy(() -> RoomPlan.spread(10, 5, 6, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--rooms-per-client");
    }
}
