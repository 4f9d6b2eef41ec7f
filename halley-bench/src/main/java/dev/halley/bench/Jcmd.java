package dev.halley.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory figures of another JVM through {@code jcmd}: heap after a full GC, the live class
 * histogram, and native memory as Native Memory Tracking counts it (when the JVM was started
 * with {@code -XX:NativeMemoryTracking=summary}).
 */
final class Jcmd {
    private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");
    private static final Pattern HISTO = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern NMT_CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB", Pattern.MULTILINE);
    private static final String HEAP = "Java Heap";
    /**
     * The JIT's categories: compiled code and the compiler's arenas grow and shrink with what it
     * is compiling at the moment of the reading, not with connections (readings swing by hundreds
     * of bytes per connection either way), so per-connection figures leave them out.
     */
    private static final java.util.Set<String> JIT = java.util.Set.of("Code", "Compiler", "Arena Chunk");

    private Jcmd() {
    }

    static long heapAfterGc(long pid) {
        try {
            run(pid, "GC.run");
            Matcher m = USED.matcher(run(pid, "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** One class's live instances: how many and their shallow bytes. */
    record Instances(long count, long bytes) {
    }

    /** The live objects by class ({@code GC.class_histogram}, which runs a full GC first); empty when unknown. */
    static Map<String, Instances> classHistogram(long pid) {
        Map<String, Instances> out = new HashMap<>();
        try {
            for (String line : run(pid, "GC.class_histogram").split("\n")) {
                Matcher m = HISTO.matcher(line);
                if (m.find()) {
                    out.merge(m.group(3), new Instances(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
                            (a, b) -> new Instances(a.count + b.count, a.bytes + b.bytes));
                }
            }
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return out;
    }

    /**
     * Native memory committed per NMT category, in bytes (the JVM must run with
     * {@code -XX:NativeMemoryTracking=summary}; direct buffers are booked under "Other");
     * empty when NMT is off.
     */
    static Map<String, Long> nativeCommitted(long pid) {
        Map<String, Long> out = new HashMap<>();
        try {
            Matcher m = NMT_CATEGORY.matcher(run(pid, "VM.native_memory summary"));
            while (m.find()) {
                out.put(m.group(1).trim(), Long.parseLong(m.group(2)) * 1024);
            }
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        return out;
    }

    /** The sum of all categories but the Java heap and the JIT's. */
    static long outsideHeap(Map<String, Long> categories) {
        return categories.entrySet().stream().filter(e -> counted(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    private static boolean counted(String category) {
        return !category.equals(HEAP) && !JIT.contains(category);
    }

    /**
     * The NMT categories (but the heap) that changed between two summaries, as {@code "name N B"}
     * per connection, largest first; the JIT's are marked as left out of the total.
     */
    static List<String> nativeGrowthPerConnection(Map<String, Long> before, Map<String, Long> after, long conns) {
        if (conns <= 0 || before.isEmpty() || after.isEmpty()) {
            return List.of();
        }
        return after.entrySet().stream()
                .filter(e -> !e.getKey().equals(HEAP))
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) conns))
                .filter(e -> Math.abs(e.getValue()) >= 1)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.0f B%s", e.getKey(), e.getValue(), counted(e.getKey()) ? "" : " (JIT, not counted)"))
                .toList();
    }

    /**
     * The classes whose live bytes grew most between two histograms, as
     * {@code "name count×size"} per connection, largest first.
     */
    static List<String> growthPerConnection(Map<String, Instances> before, Map<String, Instances> after, long conns, int top) {
        if (conns <= 0 || before.isEmpty() || after.isEmpty()) {
            return List.of();
        }
        record Growth(String name, double count, double bytes) {
        }
        List<Growth> growth = new ArrayList<>();
        after.forEach((name, a) -> {
            Instances b = before.getOrDefault(name, new Instances(0, 0));
            growth.add(new Growth(name, (a.count - b.count) / (double) conns, (a.bytes - b.bytes) / (double) conns));
        });
        growth.sort(Comparator.comparingDouble(Growth::bytes).reversed());
        List<String> out = new ArrayList<>();
        for (Growth g : growth.subList(0, Math.min(top, growth.size()))) {
            out.add(String.format(Locale.ROOT, "%s %.2f× = %.0f B", g.name, g.count, g.bytes));
        }
        return out;
    }

    /**
     * Live heap growth per connection grouped by who allocates it: Netty ({@code io.netty.}),
     * Halley ({@code dev.halley.}), JDK networking ({@code java.net.}, the socket addresses Netty
     * keeps), and the rest (collections, arrays, strings: held by either).
     */
    static String growthByOwner(Map<String, Instances> before, Map<String, Instances> after, long conns) {
        if (conns <= 0 || before.isEmpty() || after.isEmpty()) {
            return "";
        }
        Map<String, Long> owners = new java.util.TreeMap<>();
        after.forEach((name, a) -> {
            long grew = a.bytes - before.getOrDefault(name, new Instances(0, 0)).bytes;
            String owner = name.startsWith("io.netty.") ? "Netty" : name.startsWith("dev.halley.") ? "Halley"
                    : name.startsWith("java.net.") ? "java.net" : "collections/arrays/other";
            owners.merge(owner, grew, Long::sum);
        });
        StringBuilder sb = new StringBuilder();
        owners.forEach((owner, bytes) -> sb.append(sb.length() == 0 ? "" : "; ")
                .append(String.format(Locale.ROOT, "%s %.0f B", owner, bytes / (double) conns)));
        return sb.toString();
    }

    private static String run(long pid, String command) throws IOException, InterruptedException {
        String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        List<String> cmd = new ArrayList<>(List.of(jcmd, Long.toString(pid)));
        cmd.addAll(List.of(command.split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
