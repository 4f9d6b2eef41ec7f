package dev.halley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap after a full GC of another JVM, through {@code jcmd PID GC.run} and {@code GC.heap_info}. */
final class Jcmd {
    private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");

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

    private static String run(long pid, String command) throws IOException, InterruptedException {
        String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
