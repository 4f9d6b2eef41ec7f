package dev.halley.server.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The guard itself: a buffer dropped without release makes the check fail, naming the leak. */
class LeakGuardTest {

    @Test
    void anUnreleasedBufferFailsTheCheck() {
        LeakGuard.assertNoLeaks();
        leakOne();
        assertThatThrownBy(LeakGuard::assertNoLeaks)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("LEAK");
        LeakGuard.assertNoLeaks();
    }

    private static void leakOne() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        b.writeLong(42);
        // Dropped without release(): exactly one leak.
    }
}
