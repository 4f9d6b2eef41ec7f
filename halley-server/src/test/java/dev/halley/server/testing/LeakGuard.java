package dev.halley.server.testing;

import io.netty.buffer.Unpooled;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes a Netty buffer leak fail the build. Installed as a {@link LauncherSessionListener}
 * (before any test touches Netty), it sets leak detection to paranoid and records every leak
 * report; {@link #assertNoLeaks()} (run after each server test class) collects garbage,
 * provokes the detectors to drain their queues and fails if anything leaked.
 */
public final class LeakGuard implements LauncherSessionListener {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        // The static initialiser did the work; loading this class is the point.
    }

    /** Ensures the factory is installed (for tests started outside the launcher). */
    public static void install() {
    }

    /** Fails with the leak records if any buffer was garbage-collected unreleased so far. */
    public static void assertNoLeaks() {
        // The collector clears a leaked buffer's weak reference and enqueues it on its own thread, a
        // little later; each tracked allocation drains the queue and reports. A few rounds, bounded.
        for (int round = 0; round < 10 && LEAKS.isEmpty(); round++) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            for (int k = 0; k < 64; k++) {
                PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
                PooledByteBufAllocator.DEFAULT.heapBuffer(16).release();
                Unpooled.buffer(16).release();
            }
        }
        if (!LEAKS.isEmpty()) {
            String report = String.join("\n----\n", LEAKS);
            LEAKS.clear();
            throw new AssertionError("Netty buffer leak(s) detected:\n" + report);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    LEAKS.add("LEAK " + resourceType + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add("LEAK " + resourceType + " (untraced)");
                    super.reportUntracedLeak(resourceType);
                }
            };
        }
    }
}
