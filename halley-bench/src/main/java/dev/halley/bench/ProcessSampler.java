package dev.halley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU and resident memory of one process, read from {@code /proc/PID/stat} and
 * {@code /proc/PID/status} (Linux). CPU is in percent of one core over the interval since the
 * previous {@link #cpuPercent()} call, so 200 % means both cores of a 2-core machine.
 */
public final class ProcessSampler {
    /** USER_HZ: 100 on every Linux architecture the bench runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long pid;
    private long lastTicks = -1;
    private long lastNanos;

    public ProcessSampler(long pid) {
        this.pid = pid;
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

    /** utime + stime in ticks, or -1. */
    long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces: count fields after its closing ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size in bytes, or -1. */
    public long rssBytes() {
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
