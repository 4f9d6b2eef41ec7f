package dev.halley.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * One scenario run's context: the flags, the server under test, the generator's event loops,
 * shared {@link Stats} and the live progress line.
 */
public final class Bench implements AutoCloseable {
    private final String scenario;
    private final Flags flags;
    private final ServerUnderTest server;
    private final Loops loops;
    private final Stats stats = new Stats();
    private final Progress progress;
    private final String startedAt = Instant.now().toString();
    private final String loadAtStart = loadAverage();

    public Bench(String scenario, Flags flags, ServerUnderTest server) {
        this.scenario = scenario;
        this.flags = flags;
        this.server = server;
        this.loops = new Loops(flags.integer("io-threads", Runtime.getRuntime().availableProcessors()),
                flags.integer("source-addresses", 4), server.address());
        this.progress = flags.bool("quiet", false) ? null : new Progress(scenario, stats, server);
    }

    public Flags flags() {
        return flags;
    }

    public ServerUnderTest server() {
        return server;
    }

    public InetSocketAddress target() {
        return server.address();
    }

    public Loops loops() {
        return loops;
    }

    public Stats stats() {
        return stats;
    }

    /** Sets what the progress line calls the current phase. */
    public void phase(String name) {
        if (progress != null) {
            progress.phase(name);
        }
    }

    /** A channel name no earlier run used, so offsets start at 1 and history is empty. */
    public String freshChannel(String prefix) {
        return "/bench/" + prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    /**
     * Waits (polling every 10 ms) until {@code done} holds or {@code limit} passes; true if it held.
     * A measurement wait with a deadline, never an open-ended sleep.
     */
    public static boolean await(BooleanSupplier done, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Opens {@code n} clients 500 at a time ({@code open} takes the client's index), waiting
     * (bounded by {@code within} a batch) after each batch until {@code ready} counts them all, so
     * the server's accept queue is never flooded; returns {@code ready} at the end.
     */
    static long openInBatches(int n, java.util.function.IntConsumer open, java.util.function.LongSupplier ready,
            Duration within) throws InterruptedException {
        return openInBatches(n, 500, open, ready, within);
    }

    /** As {@link #openInBatches(int, java.util.function.IntConsumer, java.util.function.LongSupplier, Duration)}, {@code batch} at a time. */
    static long openInBatches(int n, int batch, java.util.function.IntConsumer open, java.util.function.LongSupplier ready,
            Duration within) throws InterruptedException {
        for (int from = 0; from < n; from += batch) {
            long target = ready.getAsLong() + Math.min(batch, n - from);
            for (int i = from; i < Math.min(n, from + batch); i++) {
                open.accept(i);
            }
            await(() -> ready.getAsLong() >= target, within);
        }
        return ready.getAsLong();
    }

    /** Lets a measured window run for {@code d}. */
    public static void hold(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    public Result result(List<Row> rows, List<String> notes) {
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        gen.put("cores", Runtime.getRuntime().availableProcessors());
        gen.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        gen.put("io", loops.transport());
        gen.put("sourceAddresses", loops.sourceCount());
        gen.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        gen.put("loadAverageAtStart", loadAtStart);
        gen.put("loadAverageAtEnd", loadAverage());
        return new Result(scenario, startedAt, new LinkedHashMap<>(flags.asMap()), gen, server.describe(), rows, notes);
    }

    /** The machine's 1/5/15-minute load average: shows when other work shared the CPU with a run. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        if (progress != null) {
            progress.close();
        }
        loops.close();
    }
}
