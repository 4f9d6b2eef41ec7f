package dev.halley.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code cluster}: Halley as {@code --nodes} server processes over Redis ({@code --broker}),
 * sharing one channel, with {@code --clients} push subscriptions in all held by
 * {@code --generators} generator processes ({@link ClusterGenerator}; one process here may hold
 * about 20,000 file descriptors, so 60,000 connections need several). Generator i subscribes
 * through node i mod nodes. Then single publishes, each through the next node, are timed until
 * every subscription on every node has it ("time to reach all"), and each node's memory is
 * measured: heap after a full GC and RSS, over its baseline, per held connection.
 *
 * <p>Runs in its own namespace ({@code broker-prefix}), removed at the end with {@code redis-cli}.
 */
final class ClusterScenario {
    private final Flags flags;
    private final Path out;
    private final List<ChildServer> nodes = new ArrayList<>();
    private final List<Generator> generators = new ArrayList<>();
    private final String prefix = "bench" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);

    ClusterScenario(Flags flags, Path out) {
        this.flags = flags;
        this.out = out;
    }

    /** Runs the scenario with {@code flags}; prints the table and writes the result next to {@code out}. */
    static Result run(Flags flags, Path out, PrintStream table) throws Exception {
        ClusterScenario s = new ClusterScenario(flags, out);
        Result r;
        try {
            r = s.run();
        } finally {
            s.close();
        }
        Report.table(r, table);
        Report.json(r, out);
        return r;
    }

    private Result run() throws Exception {
        String startedAt = Instant.now().toString();
        String loadAtStart = Bench.loadAverage();
        int nodeCount = flags.integer("nodes", 4);
        int clients = flags.integer("clients", 60_000);
        int genCount = flags.integer("generators", Math.max(nodeCount, (clients + 14_999) / 15_000));
        String channel = "/bench/cluster-" + prefix;
        List<String> notes = new ArrayList<>();
        progress("starting " + nodeCount + " nodes on " + broker() + " (prefix " + prefix + ")");
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(startNode(i));
        }
        long[] heap0 = new long[nodeCount];
        long[] rss0 = new long[nodeCount];
        for (int i = 0; i < nodeCount; i++) {
            heap0[i] = nodes.get(i).heapAfterGc();
            rss0[i] = nodes.get(i).sampler().rssBytes();
        }
        progress("starting " + genCount + " generators for " + clients + " subscriptions");
        long connectStart = System.nanoTime();
        for (int g = 0; g < genCount; g++) {
            int share = clients / genCount + (g < clients % genCount ? 1 : 0);
            generators.add(Generator.start(this, g, nodes.get(g % nodeCount), share, channel));
        }
        long held = 0;
        for (Generator g : generators) {
            held += g.awaitReady(Duration.ofMinutes(15));
        }
        double connectSecs = (System.nanoTime() - connectStart) / 1e9;
        progress(held + " subscriptions held after " + Math.round(connectSecs) + " s");
        if (held < clients) {
            notes.add("only " + held + " of " + clients + " subscriptions were established");
        }
        List<Row> rows = new ArrayList<>(memoryRows(heap0, rss0));
        rows.addAll(publishRows(channel, held));
        notes.add(String.format("%d nodes over %s, %d generator processes, %d subscriptions (%s) on one channel, held after %.0f s;"
                        + " each publish went through the next node in turn and was timed from its send to the last delivery"
                        + " on any node.", nodeCount, broker(), genCount, held, flags.string("transport", "ws"), connectSecs));
        notes.add("heap = node heap used after a full GC (jcmd); per-connection figures are deltas over the node's idle"
                + " baseline divided by the connections it holds; RSS includes touched heap pages and native memory.");
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        gen.put("cores", Runtime.getRuntime().availableProcessors());
        gen.put("io", "epoll or NIO, in " + genCount + " generator processes");
        gen.put("processes", genCount);
        gen.put("loadAverageAtStart", loadAtStart);
        gen.put("loadAverageAtEnd", Bench.loadAverage());
        Map<String, Object> server = new LinkedHashMap<>(nodes.get(0).describe());
        server.put("nodes", nodeCount);
        server.put("broker", broker());
        return new Result("cluster", startedAt, new LinkedHashMap<>(flags.asMap()), gen, server, rows, notes);
    }

    private String broker() {
        return flags.string("broker", "redis://127.0.0.1:6379");
    }

    private ChildServer startNode(int i) throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + flags.string("server-heap", "1g"), "-Xms" + flags.string("server-heap", "1g")));
        jvm.addAll(split(flags.string("server-jvm", "")));
        List<String> args = new ArrayList<>(List.of("--broker", broker(), "--broker-prefix", prefix));
        args.addAll(split(flags.string("server-args", "")));
        Path log = sibling("-node" + (i + 1) + ".log");
        Path jar = flags.has("server-jar") ? Path.of(flags.string("server-jar", "")) : ChildServer.defaultJar();
        // Without a built server jar (e.g. in the smoke test), the node runs from this class path.
        return Files.isRegularFile(jar) ? ChildServer.start(jar, jvm, args, log)
                : ChildServer.startMain("dev.halley.server.Main", jvm, args, log);
    }

    /** Per node: connections held, heap and RSS over the baseline, per connection. */
    private List<Row> memoryRows(long[] heap0, long[] rss0) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            ChildServer node = nodes.get(i);
            long conns = 0;
            for (Generator g : generators) {
                conns += g.node == node ? g.established : 0;
            }
            long heap = node.heapAfterGc();
            long rss = node.sampler().rssBytes();
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("connections", conns);
            x.put("heapBaselineMiB", mib(heap0[i]));
            x.put("heapMiB", mib(heap));
            x.put("heapPerConnBytes", conns == 0 || heap0[i] < 0 ? -1 : (heap - heap0[i]) / conns);
            x.put("rssPerConnBytes", conns == 0 ? -1 : (rss - rss0[i]) / conns);
            x.put("openFiles", node.sampler().openFiles());
            Map<String, Long> refused = refusedRequests(node);
            if (!refused.isEmpty()) {
                x.put("refused", refused.toString());
            }
            rows.add(new Row("node " + (i + 1) + " holding", conns, "conns", Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    refused.values().stream().mapToLong(Long::longValue).sum(), Double.NaN, rss / (1024.0 * 1024.0), x));
        }
        return rows;
    }

    /** Requests the node refused so far, by error code ({@code code=n …}), from its {@code /metrics}. */
    private static Map<String, Long> refusedRequests(ChildServer node) {
        Map<String, Long> byCode = new LinkedHashMap<>();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.address().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            r.body().lines().filter(l -> l.startsWith("halley_errors_total{code=\"") && !l.endsWith(" 0")).forEach(l -> byCode.put(
                    l.substring(l.indexOf('"') + 1, l.lastIndexOf('"')), (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
        } catch (IOException e) {
            byCode.put("metrics-unreadable", -1L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return byCode;
    }

    /** Single publishes, one at a time, each through the next node, timed to its last delivery anywhere. */
    private List<Row> publishRows(String channel, long held) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Row> rows = new ArrayList<>();
        int publishes = flags.integer("publishes", 5);
        for (int k = 1; k <= publishes; k++) {
            ChildServer via = nodes.get((k - 1) % nodes.size());
            String body = "{\"channel\":\"" + channel + "\",\"data\":{\"t\":" + System.nanoTime() + "}}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.address().getPort() + "/api/publish"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("publish answered " + r.statusCode() + ": " + r.body());
            }
            rows.add(collect(k, held, nodes.indexOf(via) + 1));
        }
        return rows;
    }

    /** The generators' reports for publish {@code k}, as one row: time to reach all, latency spread, counts. */
    private Row collect(int k, long held, int viaNode) throws IOException {
        double maxMs = 0;
        double p50 = 0;
        double p99 = 0;
        long delivered = 0;
        long lost = 0;
        long duplicates = 0;
        long dropped = 0;
        for (Generator g : generators) {
            String[] f = g.ask("await " + k).split(" ");
            delivered += Long.parseLong(f[2]);
            maxMs = Math.max(maxMs, Double.parseDouble(f[3]));
            p50 = Math.max(p50, Double.parseDouble(f[4]));
            p99 = Math.max(p99, Double.parseDouble(f[5]));
            lost += Long.parseLong(f[6]);
            duplicates += Long.parseLong(f[7]);
            dropped += Long.parseLong(f[8]);
        }
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("timeToReachAllMs", maxMs);
        x.put("delivered", delivered);
        x.put("expected", held * k);
        x.put("lost", lost);
        x.put("duplicates", duplicates);
        x.put("dropped", dropped);
        progress("publish " + k + " via node " + viaNode + ": reached all " + held + " in " + maxMs + " ms");
        return new Row("1 publish via node " + viaNode + " → " + held, held / (maxMs / 1000.0), "deliveries/s", p50, p99,
                Double.NaN, maxMs, lost + dropped, Double.NaN, Double.NaN, x);
    }

    private Path sibling(String suffix) {
        return Path.of(out.toString().replaceFirst("\\.json$", "") + suffix);
    }

    private void progress(String line) {
        if (!flags.bool("quiet", false)) {
            System.err.println("[cluster] " + line);
        }
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }

    private static List<String> split(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }

    /** Stops generators and nodes, then removes the namespace's keys and functions from Redis. */
    private void close() {
        generators.forEach(Generator::close);
        nodes.forEach(ChildServer::close);
        if (broker().startsWith("redis://")) {
            URI uri = URI.create(broker());
            String cli = "redis-cli -h " + uri.getHost() + " -p " + uri.getPort();
            String drop = cli + " --scan --pattern '" + prefix + ":*' | xargs -r -n 500 " + cli + " DEL >/dev/null; "
                    + cli + " FUNCTION DELETE halley_" + prefix + " >/dev/null";
            try {
                new ProcessBuilder("sh", "-c", drop).inheritIO().start().waitFor(60, TimeUnit.SECONDS);
            } catch (IOException e) {
                System.err.println("[cluster] could not remove namespace " + prefix + " from Redis: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One generator process and its line protocol. */
    private static final class Generator {
        final Process process;
        final ChildServer node;
        final BufferedReader lines;
        final PrintStream commands;
        long established;

        private Generator(Process process, ChildServer node) {
            this.process = process;
            this.node = node;
            this.lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        static Generator start(ClusterScenario s, int index, ChildServer node, int clients, String channel) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + s.flags.string("generator-heap", "1g"), "-cp", System.getProperty("java.class.path"),
                    ClusterGenerator.class.getName(), "--quiet", "--target", "127.0.0.1:" + node.address().getPort(),
                    "--clients", Integer.toString(clients), "--channel", channel,
                    "--transport", s.flags.string("transport", "ws"),
                    "--io-threads", s.flags.string("generator-io-threads", "2"),
                    "--source-addresses", s.flags.string("source-addresses", "8")));
            Process p = new ProcessBuilder(cmd).redirectError(s.sibling("-generator" + (index + 1) + ".log").toFile()).start();
            return new Generator(p, node);
        }

        long awaitReady(Duration within) throws IOException {
            String line = readLine(within);
            if (line == null || !line.startsWith("ready ")) {
                throw new IllegalStateException("generator did not get ready: " + line);
            }
            established = Long.parseLong(line.substring(6).trim());
            return established;
        }

        String ask(String command) throws IOException {
            commands.println(command);
            String line = readLine(Duration.ofSeconds(90));
            if (line == null || !line.startsWith("done ")) {
                throw new IllegalStateException("generator answered " + line + " to " + command);
            }
            return line;
        }

        /** The next line, or null when the process ended; the deadline guards a process that hangs. */
        private String readLine(Duration within) throws IOException {
            long deadline = System.nanoTime() + within.toNanos();
            while (!lines.ready()) {
                if (!process.isAlive()) {
                    return lines.readLine();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("generator silent for " + within);
                }
                try {
                    process.waitFor(20, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return lines.readLine();
        }

        void close() {
            commands.println("stop");
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
