package dev.halley.bench.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An installed server program run by the bench as a child process: started in a scratch directory
 * of its own (its generated config, pid, run and temp files live there, never in /etc or /var),
 * its output going to a log file, ready once an HTTP GET answers 200, and stopped at the end with
 * SIGTERM, then SIGKILL for whatever of its process tree is still alive. A JVM shutdown hook does
 * the same on Ctrl-C. {@link #close()} also deletes the scratch directory; it is idempotent.
 */
final class PeerProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final List<String> command;
    private final Path scratch;
    private final Thread hook;
    private boolean closed;

    private PeerProcess(String name, Process process, List<String> command, Path scratch) {
        this.name = name;
        this.process = process;
        this.command = command;
        this.scratch = scratch;
        this.hook = new Thread(this::stop, name + "-stop");
    }

    /**
     * Runs {@code command} in {@code scratch} (its working directory, which it owns from now on and
     * deletes when it stops, also when it cannot start), output to {@code log}, and waits up to
     * {@code within} until {@code GET ready} answers 200.
     *
     * @throws IllegalStateException when the program exits or is not ready in time (it is stopped then)
     */
    static PeerProcess start(String name, List<String> command, Path scratch, Path log, URI ready, Duration within)
            throws IOException, InterruptedException {
        Process p;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            p = new ProcessBuilder(command).directory(scratch.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            deleteTree(scratch);
            throw e;
        }
        PeerProcess pp = new PeerProcess(name, p, List.copyOf(command), scratch);
        Runtime.getRuntime().addShutdownHook(pp.hook);
        try {
            pp.awaitReady(ready, within, log);
        } catch (InterruptedException | RuntimeException e) {
            pp.close();
            throw e;
        }
        return pp;
    }

    private void awaitReady(URI ready, Duration within, Path log) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening (or not routing) yet
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException(name + " not ready within " + within + " (" + ready + "); see " + log);
    }

    /** Waits up to {@code within} until something accepts TCP connections at {@code address}. */
    static boolean awaitListening(InetSocketAddress address, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(address, 500);
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    /** A loopback port free right now (the child binds it a moment later). */
    static int freePort() {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return ss.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the resource {@code template} (UTF-8, from this class's class path) to {@code to} with
     * each {@code @NAME@} replaced by {@code values.get("NAME")}.
     *
     * @throws IllegalStateException when the resource is missing or a placeholder is left unfilled
     */
    static void writeTemplate(String template, Map<String, String> values, Path to) throws IOException {
        String text;
        try (InputStream in = PeerProcess.class.getResourceAsStream(template)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + template);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            text = text.replace("@" + e.getKey() + "@", e.getValue());
        }
        Matcher left = Pattern.compile("@[A-Z_]+@").matcher(text);
        if (left.find()) {
            throw new IllegalStateException(template + ": no value for " + left.group());
        }
        Files.writeString(to, text);
    }

    /** The first of {@code candidates} that is an executable file, else the name looked up on PATH; null if none. */
    static String executable(String name, String... candidates) {
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    /** The first line {@code command} prints (stdout and stderr), or {@code "unknown"}: for versions. */
    static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return out.isEmpty() ? "unknown" : out.lines().findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** This process's soft open-file limit (from {@code /proc/self/limits}), or {@code fallback}. */
    static int openFileLimit(int fallback) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Integer.parseInt(line.substring("Max open files".length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
        return fallback;
    }

    long pid() {
        return process.pid();
    }

    String commandLine() {
        return String.join(" ", command);
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // Children the program did not take down with it (it was killed, or it orphaned them).
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        deleteTree(scratch);
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
    }

    /** Deletes {@code dir} and everything under it, as far as it can. */
    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a scratch directory under the system temp dir
        }
    }

    @Override
    public String toString() {
        return "PeerProcess[" + name + " pid=" + process.pid() + " alive=" + process.isAlive() + " scratch=" + scratch + "]";
    }
}
