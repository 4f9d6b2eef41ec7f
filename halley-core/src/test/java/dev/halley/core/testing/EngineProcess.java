package dev.halley.core.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A private engine (redis-server, nats-server) run as a child process on a free port, for tests
 * that kill or restart it: the shared engines at 6379 and 4222 are never stopped. Kill and start
 * again on the same port; {@link #close()} kills it for good (call it in {@code @AfterAll}).
 */
public final class EngineProcess implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(15);

    private final String name;
    private final IntFunction<List<String>> command;
    private final int port;
    private final Path dir;
    private Process process;

    private EngineProcess(String name, IntFunction<List<String>> command, int port, Path dir) {
        this.name = name;
        this.command = command;
        this.port = port;
        this.dir = dir;
    }

    /** A redis-server without persistence: a restart loses everything, as a crash of a cache would. */
    public static EngineProcess redis() {
        return start("redis", port -> List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no"));
    }

    /**
     * A redis-server in cluster mode, to be joined into a cluster with {@code redis-cli --cluster
     * create}; its cluster bus listens on port + 10000, which must be free too.
     */
    public static EngineProcess redisClusterNode() {
        return start("redis-cluster", EngineProcess::freePortWithBus, port -> List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes-" + port + ".conf", "--cluster-node-timeout", "2000"));
    }

    /**
     * A nats-server with JetStream storing in its own directory, which survives a kill and
     * restart (as a NATS server's disk would) unless {@link #wipe()} is called between.
     */
    public static EngineProcess nats() {
        return start("nats", port -> List.of(natsServer(), "-js", "-a", "127.0.0.1", "-p", Integer.toString(port),
                "-sd", "store"));
    }

    private static String natsServer() {
        return new File("/usr/sbin/nats-server").canExecute() ? "/usr/sbin/nats-server" : "nats-server";
    }

    private static EngineProcess start(String name, IntFunction<List<String>> command) {
        return start(name, EngineProcess::freePort, command);
    }

    private interface PortChoice {
        int choose() throws IOException;
    }

    private static EngineProcess start(String name, PortChoice port, IntFunction<List<String>> command) {
        try {
            EngineProcess p = new EngineProcess(name, command, port.choose(), Files.createTempDirectory("halley-" + name));
            p.start();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} or {@code nats://127.0.0.1:<port>}. */
    public String uri() {
        return (name.equals("nats") ? "nats" : "redis") + "://127.0.0.1:" + port;
    }

    /** Starts it (again, on the same port) and waits until it accepts connections. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            process = new ProcessBuilder(new ArrayList<>(command.apply(port))).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + name + " server (is it installed?)", e);
        }
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (!accepts(port)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException(name + " did not start on port " + port + "; see " + dir.resolve(name + ".log"));
            }
            try {
                process.waitFor(10, java.util.concurrent.TimeUnit.MILLISECONDS); // returns early if it exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + name + " started", e);
            }
        }
    }

    /** Kills it at once (SIGKILL), as a crash would, and waits until it is gone. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Deletes what the engine stored on disk (call while it is killed). */
    public void wipe() throws IOException {
        Path store = dir.resolve("store");
        if (Files.exists(store)) {
            try (var walk = Files.walk(store)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Override
    public void close() {
        kill();
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePortWithBus() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 100; i++) {
            int port = 20_000 + random.nextInt(20_000);
            if (isFree(port) && isFree(port + 10_000)) {
                return port;
            }
        }
        throw new IOException("no free port pair for a cluster node");
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return "EngineProcess[" + name + " on " + port + (process != null && process.isAlive() ? ", running" : ", stopped") + "]";
    }
}
