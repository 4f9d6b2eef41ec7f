package dev.halley.core.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared engines of the development and CI machines: Redis at 127.0.0.1:6379 and NATS with
 * JetStream at 127.0.0.1:4222. A test that needs one calls {@link #requireRedis()} or
 * {@link #requireNats()}: when the engine is not there it is skipped with a clear message, or
 * fails when {@code CI=true} (a CI run must never pass by skipping).
 */
public final class Engines {
    public static final int REDIS_PORT = 6379;
    public static final int NATS_PORT = 4222;
    public static final String REDIS = "redis://127.0.0.1:" + REDIS_PORT;
    public static final String NATS = "nats://127.0.0.1:" + NATS_PORT;

    private Engines() {
    }

    public static void requireRedis() {
        require(REDIS_PORT, "Redis at 127.0.0.1:6379");
    }

    public static void requireNats() {
        require(NATS_PORT, "NATS at 127.0.0.1:4222 (with JetStream)");
    }

    /** Also for the private engines: their binaries must be installed. */
    public static void requireCommand(String command) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            found |= new java.io.File(dir, command).canExecute();
        }
        found |= new java.io.File("/usr/sbin/" + command).canExecute();
        require(found, command + " (installed on the PATH)");
    }

    private static void require(int port, String what) {
        require(EngineProcess.accepts(port), what);
    }

    private static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String message = what + " is not available; these tests need it (with CI=true they fail instead of skipping).";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        assumeTrue(false, message);
    }
}
