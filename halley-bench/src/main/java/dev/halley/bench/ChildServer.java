package dev.halley.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Halley started by the bench as a separate JVM ({@code java -Xmx… -jar halley-server.jar --port P}),
 * ready once {@code /healthz} answers 200, stopped (SIGTERM, then kill) at the end. Its output goes
 * to a log file next to the results.
 */
public final class ChildServer implements ServerUnderTest {
    private final Process process;
    private final InetSocketAddress address;
    private final List<String> command;
    private final ProcessSampler sampler;

    private ChildServer(Process process, InetSocketAddress address, List<String> command) {
        this.process = process;
        this.address = address;
        this.command = command;
        this.sampler = new ProcessSampler(process.pid());
    }

    /**
     * Starts the server jar with {@code jvmFlags} (e.g. {@code -Xmx1g}) and {@code serverFlags}
     * (e.g. {@code --io-threads 2}), waiting up to 30 s for health.
     */
    public static ChildServer start(Path jar, List<String> jvmFlags, List<String> serverFlags, Path log) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("server jar not found: " + jar + " (build it, or give --server-jar / --target)");
        }
        return launch(jvmFlags, List.of("-jar", jar.toString()), serverFlags, log);
    }

    /**
     * Starts {@code mainClass} from this JVM's class path (the bench jar, which holds the peers)
     * with {@code jvmFlags}, {@code --port P --host 127.0.0.1} and {@code args}; it must answer
     * {@code GET /healthz} like Halley does. Used for peers such as
     * {@code dev.halley.bench.peer.CometdPeer}.
     */
    public static ChildServer startMain(String mainClass, List<String> jvmFlags, List<String> args, Path log) throws Exception {
        return launch(jvmFlags, List.of("-cp", System.getProperty("java.class.path"), mainClass), args, log);
    }

    private static ChildServer launch(List<String> jvmFlags, List<String> what, List<String> serverFlags, Path log)
            throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(what);
        cmd.add("--port");
        cmd.add(Integer.toString(port));
        cmd.add("--host");
        cmd.add("127.0.0.1");
        cmd.addAll(serverFlags);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ChildServer s = new ChildServer(p, new InetSocketAddress("127.0.0.1", port), cmd);
        try {
            s.awaitHealthy(Duration.ofSeconds(30));
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket ss = new ServerSocket(0)) {
            return ss.getLocalPort();
        }
    }

    private void awaitHealthy(Duration within) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI health = URI.create("http://127.0.0.1:" + address.getPort() + "/healthz");
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see its log");
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("server not healthy within " + within);
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public ProcessSampler sampler() {
        return sampler;
    }

    @Override
    public long heapAfterGc() {
        return Jcmd.heapAfterGc(process.pid());
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mode", "child");
        d.put("command", String.join(" ", command));
        d.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return d;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The server jar next to this bench in a source tree, or as given. */
    static Path defaultJar() {
        for (String p : List.of("halley-server/target/halley-server.jar", "../halley-server/target/halley-server.jar")) {
            if (new File(p).isFile()) {
                return Path.of(p).toAbsolutePath();
            }
        }
        return Path.of("halley-server/target/halley-server.jar").toAbsolutePath();
    }
}
