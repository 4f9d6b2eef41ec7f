package dev.halley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-loop deadline wheel: deadlines expire once, not early, and cancel and re-arm from anywhere on the loop. */
@Timeout(30)
class DeadlineWheelTest {
    private DefaultEventLoopGroup group;
    private EventExecutor loop;
    private DeadlineWheel wheel;

    @BeforeEach
    void setUp() throws Exception {
        group = new DefaultEventLoopGroup(1);
        loop = group.next();
        // 5 ms ticks, 8 buckets: a turn is 40 ms, so deadlines a few turns out are quick to test.
        wheel = onLoop(() -> new DeadlineWheel(loop, TimeUnit.MILLISECONDS.toNanos(5), 8));
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Counts its expiries and the time of the first. */
    private final class Counted extends Deadline {
        final AtomicInteger expiries = new AtomicInteger();
        volatile long armedAt;
        volatile long firstAt;

        void arm(long millis) {
            armedAt = System.nanoTime();
            schedule(wheel, TimeUnit.MILLISECONDS.toNanos(millis));
        }

        void disarm() {
            cancel();
        }

        long waitedMillis() {
            return TimeUnit.NANOSECONDS.toMillis(firstAt - armedAt);
        }

        @Override
        protected void expired() {
            if (expiries.getAndIncrement() == 0) {
                firstAt = System.nanoTime();
            }
        }
    }

    @Test
    void aDeadlineExpiresOnceAndNotBeforeItsTime() throws Exception {
        Counted near = new Counted();
        Counted beyondATurn = new Counted();
        onLoop(() -> {
            near.arm(30);
            beyondATurn.arm(130); // more than three turns of the test wheel
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> beyondATurn.expiries.get() == 1);
        assertThat(near.waitedMillis()).isGreaterThanOrEqualTo(30);
        assertThat(beyondATurn.waitedMillis()).isGreaterThanOrEqualTo(130);
        await().during(Duration.ofMillis(100)).until(() -> near.expiries.get() == 1 && beyondATurn.expiries.get() == 1);
    }

    @Test
    void aCancelledDeadlineNeverExpires() throws Exception {
        Counted d = new Counted();
        onLoop(() -> {
            d.arm(20);
            d.disarm();
            d.disarm();
            return null;
        });
        await().during(Duration.ofMillis(150)).until(() -> d.expiries.get() == 0);
        assertThat(onLoop(d::isScheduled)).isFalse();
    }

    @Test
    void reArmingMovesTheDeadline() throws Exception {
        Counted d = new Counted();
        onLoop(() -> {
            d.arm(10);
            d.arm(80);
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> d.expiries.get() == 1);
        assertThat(d.waitedMillis()).isGreaterThanOrEqualTo(80);
        await().during(Duration.ofMillis(100)).until(() -> d.expiries.get() == 1);
    }

    @Test
    void anExpiryMayCancelAnotherDueInTheSameTick() throws Exception {
        Counted victim = new Counted();
        Deadline killer = new Deadline() {
            @Override
            protected void expired() {
                victim.disarm();
            }
        };
        onLoop(() -> {
            // Both due in the same tick, the killer first (a bucket keeps arming order): the victim is
            // already off the wheel, waiting for its turn to expire, when the killer cancels it.
            killer.schedule(wheel, 0);
            victim.arm(0);
            return null;
        });
        await().during(Duration.ofMillis(100)).until(() -> victim.expiries.get() == 0);
    }

    @Test
    void anExpiryMayArmItselfAgain() throws Exception {
        List<Long> at = new CopyOnWriteArrayList<>();
        Deadline periodic = new Deadline() {
            @Override
            protected void expired() {
                at.add(System.nanoTime());
                if (at.size() < 5) {
                    schedule(wheel, TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
        };
        onLoop(() -> {
            periodic.schedule(wheel, TimeUnit.MILLISECONDS.toNanos(10));
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> at.size() == 5);
        for (int i = 1; i < at.size(); i++) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(i) - at.get(i - 1))).isGreaterThanOrEqualTo(10);
        }
        await().during(Duration.ofMillis(100)).until(() -> at.size() == 5);
    }

    @Test
    void aFailingExpiryDoesNotStopTheWheel() throws Exception {
        Counted after = new Counted();
        Deadline failing = new Deadline() {
            @Override
            protected void expired() {
                throw new IllegalStateException("expected by the test");
            }
        };
        onLoop(() -> {
            failing.schedule(wheel, 0);
            after.arm(30);
            return null;
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> after.expiries.get() == 1);
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }
}
