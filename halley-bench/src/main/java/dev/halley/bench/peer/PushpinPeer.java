package dev.halley.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushpin from Debian (package {@code pushpin}: the {@code pushpin} runner, which starts
 * {@code condure}, {@code zurl}, {@code pushpin-proxy} and {@code pushpin-handler}), run by the bench
 * with {@code peers/pushpin/pushpin.conf} filled in, in front of a {@link GripOrigin} in this JVM.
 * Subscribers connect to Pushpin ({@link #address()}); publishers post to the origin
 * ({@link #publishAddress()}, {@code /publish}), which numbers and keeps each message and hands it
 * to Pushpin's control API, as an application behind Pushpin does.
 */
public final class PushpinPeer implements ExternalPeer {
    private final PeerProcess process;
    private final GripOrigin origin;
    private final InetSocketAddress address;
    private final Config config;

    private PushpinPeer(PeerProcess process, GripOrigin origin, InetSocketAddress address, Config config) {
        this.process = process;
        this.origin = origin;
        this.address = address;
        this.config = config;
    }

    /** Why Pushpin cannot run here, or null when it can. */
    public static String missing() {
        for (String program : List.of("pushpin", "condure", "zurl", "pushpin-proxy", "pushpin-handler")) {
            if (PeerProcess.executable(program, "/usr/bin/" + program) == null) {
                return program + " not found (Debian: apt-get install pushpin)";
            }
        }
        return null;
    }

    /** Starts the origin, then Pushpin; a request through Pushpin reaches the origin when this returns. */
    public static PushpinPeer start(Config config) throws Exception {
        String why = missing();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        int httpPort = PeerProcess.freePort();
        int controlPort = PeerProcess.freePort();
        InetSocketAddress control = new InetSocketAddress("127.0.0.1", controlPort);
        GripOrigin origin = GripOrigin.start(control, config.holdSeconds(), config.historyMessages());
        try {
            Path scratch = Files.createTempDirectory("halley-bench-pushpin-");
            try {
                writeConfig(scratch, httpPort, controlPort, origin.address().getPort());
            } catch (IOException | RuntimeException e) {
                PeerProcess.deleteTree(scratch);
                throw e;
            }
            Path log = config.log() != null ? config.log() : scratch.resolve("pushpin.log");
            List<String> command = List.of(PeerProcess.executable("pushpin", "/usr/bin/pushpin"), "--config",
                    scratch.resolve("pushpin.conf").toString(), "--merge-output");
            // From here on the process owns the scratch directory (and deletes it when it stops).
            // Ready: a request through condure, the proxy and zurl reached the origin and came back.
            PeerProcess p = PeerProcess.start("pushpin", command, scratch, log,
                    URI.create("http://127.0.0.1:" + httpPort + "/healthz"), Duration.ofSeconds(30));
            if (!PeerProcess.awaitListening(control, Duration.ofSeconds(10))) {
                p.close();
                throw new IllegalStateException("pushpin's control API is not listening on " + control + "; see " + log);
            }
            return new PushpinPeer(p, origin, new InetSocketAddress("127.0.0.1", httpPort), config);
        } catch (IOException | InterruptedException | RuntimeException e) {
            origin.close();
            throw e;
        }
    }

    /** {@code pushpin.conf} and {@code routes} in {@code scratch}, with its run and log directories. */
    private static void writeConfig(Path scratch, int httpPort, int controlPort, int originPort) throws IOException {
        Files.createDirectories(scratch.resolve("run"));
        Files.createDirectories(scratch.resolve("log"));
        Map<String, String> ports = Map.of("HTTP_PORT", Integer.toString(httpPort),
                "CONTROL_PORT", Integer.toString(controlPort),
                "PUSH_IN_PORT", Integer.toString(PeerProcess.freePort()),
                "PUSH_SUB_PORT", Integer.toString(PeerProcess.freePort()),
                "COMMAND_PORT", Integer.toString(PeerProcess.freePort()),
                "ORIGIN_PORT", Integer.toString(originPort));
        PeerProcess.writeTemplate("/peers/pushpin/pushpin.conf", ports, scratch.resolve("pushpin.conf"));
        PeerProcess.writeTemplate("/peers/pushpin/routes", ports, scratch.resolve("routes"));
    }

    /** {@code pushpin --version}'s line, e.g. {@code pushpin 1.36.0}. */
    public static String version() {
        return PeerProcess.firstLine("pushpin", "--version");
    }

    public GripOrigin origin() {
        return origin;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public InetSocketAddress publishAddress() {
        return origin.address();
    }

    @Override
    public String publishPath(String channel) {
        return "/publish";
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mode", "child");
        d.put("peer", "Pushpin");
        d.put("command", process.commandLine());
        d.put("pushpin", version());
        d.put("historyMessages", config.historyMessages());
        d.put("holdSeconds", config.holdSeconds());
        d.put("origin", origin.stats());
        return d;
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            origin.close();
        }
    }

    @Override
    public String toString() {
        return "PushpinPeer[" + address + " " + process + " " + origin + "]";
    }
}
