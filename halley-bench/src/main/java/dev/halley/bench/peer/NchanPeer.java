package dev.halley.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx with the Nchan module, both from Debian ({@code nginx}, {@code libnginx-mod-nchan}), run by
 * the bench with the config {@code peers/nchan/nginx.conf} filled in: one worker per core, open-file
 * limit and {@code worker_connections} from the bench's own limit, a listener on a free loopback
 * port, EventSource at {@code /sse}, raw streams at {@code /stream}, long-polls at {@code /longpoll},
 * publishing at {@code /pub?channel=}. Messages are delivered as published (the body of the
 * {@code POST}); Nchan numbers them itself ({@code id:} lines, {@code Last-Modified}/{@code Etag}).
 */
public final class NchanPeer implements ExternalPeer {
    static final String MODULE = "ngx_nchan_module.so";
    private static final List<Path> MODULE_DIRS = List.of(Path.of("/usr/lib/nginx/modules"),
            Path.of("/usr/share/nginx/modules"));
    private static final Path MODULE_CONF = Path.of("/usr/share/nginx/modules-available/mod-nchan.conf");

    private final PeerProcess process;
    private final InetSocketAddress address;
    private final Config config;
    private final String module;

    private NchanPeer(PeerProcess process, InetSocketAddress address, Config config, String module) {
        this.process = process;
        this.address = address;
        this.config = config;
        this.module = module;
    }

    /** Why Nchan cannot run here ("nginx not found", …), or null when it can. */
    public static String missing() {
        if (nginx() == null) {
            return "nginx not found (Debian: apt-get install nginx libnginx-mod-nchan)";
        }
        return module() == null ? "the Nchan module (" + MODULE + ") not found (Debian: apt-get install libnginx-mod-nchan)" : null;
    }

    /** Starts nginx + Nchan; it answers {@code /healthz} when this returns. */
    public static NchanPeer start(Config config) throws IOException, InterruptedException {
        String why = missing();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        Path scratch = Files.createTempDirectory("halley-bench-nchan-");
        List<String> command;
        Path log = config.log() != null ? config.log() : scratch.resolve("nginx.log");
        int port = PeerProcess.freePort();
        try {
            for (String t : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
                Files.createDirectories(scratch.resolve("tmp").resolve(t));
            }
            Map<String, String> values = Map.of("MODULE", module(), "NOFILE", Integer.toString(PeerProcess.openFileLimit(1024)),
                    "PORT", Integer.toString(port), "BUFFER", Integer.toString(config.historyMessages()),
                    "HOLD", Integer.toString(config.holdSeconds()));
            Path conf = scratch.resolve("nginx.conf");
            PeerProcess.writeTemplate("/peers/nchan/nginx.conf", values, conf);
            command = List.of(nginx(), "-p", scratch + "/", "-c", conf.toString(), "-e", "stderr", "-g", "daemon off;");
        } catch (IOException | RuntimeException e) {
            PeerProcess.deleteTree(scratch);
            throw e;
        }
        // From here on the process owns the scratch directory (and deletes it when it stops).
        PeerProcess p = PeerProcess.start("nginx-nchan", command, scratch, log,
                URI.create("http://127.0.0.1:" + port + "/healthz"), Duration.ofSeconds(20));
        return new NchanPeer(p, new InetSocketAddress("127.0.0.1", port), config, module());
    }

    /** The Nchan and nginx versions, e.g. {@code Nchan 1.3.6 on nginx 1.22.1} (Debian's epoch and revision left out). */
    public static String version() {
        String nginx = PeerProcess.firstLine(nginx(), "-v").replaceFirst("^nginx version: nginx/", "nginx ");
        String nchan = PeerProcess.firstLine("dpkg-query", "-W", "-f", "${Version}", "libnginx-mod-nchan")
                .replaceFirst("^\\d+:", "").replaceFirst("[+-].*$", "");
        return "Nchan " + nchan + " on " + nginx;
    }

    static String nginx() {
        return PeerProcess.executable("nginx", "/usr/sbin/nginx", "/usr/bin/nginx");
    }

    /** The module's .so: in nginx's module directory, or as Debian's modules-available file loads it. */
    static String module() {
        for (Path dir : MODULE_DIRS) {
            if (Files.isRegularFile(dir.resolve(MODULE))) {
                return dir.resolve(MODULE).toString();
            }
        }
        try {
            Matcher m = Pattern.compile("load_module\\s+([^;]+);").matcher(Files.readString(MODULE_CONF));
            if (m.find()) {
                Path so = Path.of(m.group(1).trim());
                return Files.isRegularFile(so) ? so.toString() : null;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public InetSocketAddress publishAddress() {
        return address;
    }

    @Override
    public String publishPath(String channel) {
        return "/pub?channel=" + URLEncoder.encode(channel, StandardCharsets.UTF_8);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mode", "child");
        d.put("peer", "nginx+Nchan");
        d.put("command", process.commandLine());
        d.put("versions", version());
        d.put("module", module);
        d.put("bufferMessages", config.historyMessages());
        d.put("holdSeconds", config.holdSeconds());
        return d;
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "NchanPeer[" + address + " " + process + "]";
    }
}
