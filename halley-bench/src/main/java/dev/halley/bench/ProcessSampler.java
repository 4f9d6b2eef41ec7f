package dev.halley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongUnaryOperator;

/**
 * CPU and resident memory of one process, read from {@code /proc/PID/stat} and
 * {@code /proc/PID/status} (Linux), or of a process and all its descendants summed (a
 * {@linkplain #tree tree}: nginx's master and workers, Pushpin's runner and the services it
 * starts). CPU is in percent of one core over the interval since the previous
 * {@link #cpuPercent()} call, so 200 % means both cores of a 2-core machine.
 */
public final class ProcessSampler {
    /** USER_HZ: 100 on every Linux architecture the bench runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long pid;
    private final boolean tree;
    private long lastTicks = -1;
    private long lastNanos;

    public ProcessSampler(long pid) {
        this(pid, false);
    }

    private ProcessSampler(long pid, boolean tree) {
        this.pid = pid;
        this.tree = tree;
    }

    /** Samples {@code pid} and its descendants (as they are at each reading), summed. */
    public static ProcessSampler tree(long pid) {
        return new ProcessSampler(pid, true);
    }

    /** A sampler of the same process (or tree) with its own CPU interval. */
    public ProcessSampler fresh() {
        return new ProcessSampler(pid, tree);
    }

    public long pid() {
        return pid;
    }

    /** Percent of one core used since the previous call (NaN on the first call or off Linux). */
    public synchronized double cpuPercent() {
        long ticks = cpuTicks();
        long now = System.nanoTime();
        double pct = Double.NaN;
        if (lastTicks >= 0 && ticks >= 0 && now > lastNanos) {
            pct = (ticks - lastTicks) / TICKS_PER_SECOND / ((now - lastNanos) / 1e9) * 100.0;
        }
        lastTicks = ticks;
        lastNanos = now;
        return pct;
    }

    /** utime + stime in ticks (over the tree), or -1. */
    long cpuTicks() {
        return sum(ProcessSampler::cpuTicks);
    }

    /** Resident set size in bytes (over the tree), or -1. */
    public long rssBytes() {
        return sum(ProcessSampler::rssBytes);
    }

    /** {@code one} of this process, plus of each descendant when a tree; -1 when this process cannot be read. */
    private long sum(LongUnaryOperator one) {
        long total = one.applyAsLong(pid);
        if (!tree || total < 0) {
            return total;
        }
        for (long child : ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).mapToLong(ProcessHandle::pid).toArray()) {
            total += Math.max(0, one.applyAsLong(child));
        }
        return total;
    }

    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces: count fields after its closing ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Open file descriptors (connections, mostly), or -1. */
    public long openFiles() {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }
}
