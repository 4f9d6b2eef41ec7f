package dev.halley.bench;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar halley-bench.jar SCENARIO [flags]}: starts the server under test (or uses
 * {@code --target host:port}), runs one scenario, prints its table, writes the JSON result and
 * an SVG chart. See {@link #USAGE}.
 */
public final class BenchMain {
    static final String USAGE = """
            Usage: java -jar halley-bench.jar SCENARIO [--flag value ...]

            Scenarios: longpoll, jsonp, poll, fanout, iframe, idle, storm, chat, cluster,
                       longpoll-bayeux, chat-bayeux, fanout-bayeux, fanout-vertx,
                       fanout-pushpin, fanout-nchan, longpoll-pushpin, longpoll-nchan

            Peers (side by side, same workload, each server alone with the generator and started fresh):
              longpoll --peer cometd  three runs: Halley native long-poll, Halley Bayeux long-polling (/cometd), CometD 9
                                      Bayeux long-polling (CometdPeer, a child JVM with the same --server-heap/--server-jvm;
                                      --peer-args "..." for it); all rows, then per step the ratios Halley Bayeux / CometD
                                      (same protocol, the headline) and Halley native / CometD, and heap per connection
              chat --peer cometd      the same three for --transport ws (Bayeux websocket) or longpoll (Bayeux long-polling)
              fanout --peer cometd    the same three: Halley native WebSocket, then Bayeux websocket (--transport ws) or
                                      long-polling (--transport longpoll) on Halley and on CometD
              fanout --peer vertx     fan-out over SockJS (--transport sockjs-ws, default, or sockjs-xhr-streaming) to
                                      Halley's /sockjs/channels, then to Vert.x web's SockJS handler (VertxSockJsPeer
                                      child JVM, --peer-args "--event-loops N"), the same client bytes to both; then
                                      Halley's native --reference ws (or stream|sse|none) on the same workload; per-step
                                      ratios Halley / Vert.x, full-delivery time, heap per connection, lost/duplicates
              fanout-vertx            only the Vert.x rows (--transport sockjs-ws|sockjs-xhr-streaming)
              --repeat N              each of the three runs N times; the medians are compared
              fanout --peer pushpin|nchan --transport sse|stream
                                      Halley's native rows, then Pushpin 1.36 / Nchan on nginx as installed from Debian
                                      (started here with a generated config on free loopback ports; CPU and RSS summed
                                      over their processes); Halley / peer ratios. --batches above 1: Pushpin only
              longpoll --peer pushpin|nchan
                                      the same for long-polling (Pushpin: origin cursor + GRIP prev-id; Nchan:
                                      Last-Modified/Etag); errors counted by status, late messages waited for up to
                                      the hold (--timeout) before they count as lost
              fanout-pushpin, fanout-nchan, longpoll-pushpin, longpoll-nchan
                                      only the peer's rows (needs: apt-get install pushpin nginx libnginx-mod-nchan)
            Bayeux scenarios alone (the same Bayeux client; publish through the server's own path):
              longpoll-bayeux, chat-bayeux (--transport ws|longpoll), fanout-bayeux (--transport ws|longpoll)
              --bayeux-server cometd  CometD 9 (CometdPeer, started here; the default), or halley: Halley's /cometd
                                      (halley-server.jar started here, or --target)

            Server under test (default: started here as a child JVM, stopped at the end):
              --server-jar PATH      halley-server.jar (default halley-server/target/halley-server.jar)
              --server-heap 1g       -Xmx of the child server;  --server-jvm "-XX:+UseG1GC ..." more JVM flags
              --server-args "..."    extra server flags (e.g. "--io-threads 2")
              --target host:port     use a running server instead;  --server-pid PID to sample its CPU/RSS/heap
            Generator:
              --io-threads N         event loops (default: cores);  --source-addresses 4  (127.0.0.1..N)
              --out FILE             JSON result (default bench-results/SCENARIO-TIME.json; an .svg chart beside it)
              --quiet                no progress line
              --repeat N             run N times, each against a fresh server; print every run and the medians
            Scenario flags: --clients N --duration 30s --warmup 5s --rate R (messages/s) --transport ws|sse|stream|iframe
                            (fanout, chat, idle's --transports: also sockjs-ws|sockjs-xhr-streaming, Halley's /sockjs/channels)
              longpoll/jsonp: --channels-per-client 1 --timeout 30
              poll:           --clients 50 (connections) --duration 10s; runs wrk too when installed (--wrk false to skip)
              fanout/iframe:  --clients 10000 --rates 1,2,5,10,20,50,100,200 --step 10s --singles 5 --p99-limit 100
                              --batches 1,20 (messages per publish request; above 1 they go out in one write)
              fanout-bayeux:  the same flags; --transport ws|longpoll (Bayeux websocket or long-polling)
              idle:           --clients 19000 --transports ws,sse,stream,longpoll
              storm:          --clients 10000 --transport ws --missed 5
              cluster:        --nodes 4 --clients 60000 --generators 4 --publishes 5 --broker redis://127.0.0.1:6379
                              (nodes and generators are child processes; --generator-heap 1g, --server-heap 1g)
              chat:           --clients 1000 --transport ws|longpoll|sse|stream --rooms 100 --rooms-per-client 10
                              --size 50 (data bytes) --seed 1 --rates 100,200,500,1000,2000,5000 --step 10s
                              --warmup 5s --p99-limit 100 --publishers 16 (publishing connections)
            """;

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(USAGE);
            return;
        }
        String scenario = args[0];
        Flags flags = Flags.parse(Arrays.asList(args).subList(1, args.length));
        Path out = Path.of(flags.string("out", "bench-results/" + scenario + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json"));
        if (scenario.equals("cluster")) {
            ClusterScenario.run(flags, out, System.out);
            System.exit(0);
        }
        if (flags.string("peer", "").equals("cometd")) {
            // Three runs: Halley native, Halley Bayeux, CometD Bayeux (longpoll, chat, fanout).
            CometdComparison.of(scenario, flags).run(BenchMain::repeated, out, System.out);
            System.exit(0);
        }
        if (scenario.equals("fanout") && flags.string("peer", "").equals("vertx")) {
            SockJsSideBySide.run(flags, out);
            System.exit(0);
        }
        if (InstalledPeer.Kind.ofFlag(flags.string("peer", "")) != null) {
            // Pushpin or Nchan from Debian: Halley's native rows, then the peer's (longpoll, fanout).
            InstalledPeerSideBySide.run(scenario, flags, out);
            System.exit(0);
        }
        if (flags.has("peer")) {
            throw new IllegalArgumentException("unknown --peer " + flags.string("peer", "") + " for " + scenario
                    + " (known: longpoll|chat|fanout --peer cometd, fanout --peer vertx, longpoll|fanout --peer pushpin|nchan)");
        }
        Result r = repeated(scenario, flags, out);
        Report.table(r, System.out);
        Report.json(r, out);
        String svg = out.toString().replaceFirst("\\.json$", "") + ".svg";
        SvgChart.write(r, Path.of(svg));
        System.err.println("results: " + out + "  chart: " + svg);
        System.exit(0);
    }

    /**
     * Runs {@code scenario} {@code --repeat} times (default once), each against a freshly started
     * server; with more than one run, prints each run's table and returns the {@linkplain Medians median}.
     */
    static Result repeated(String scenario, Flags flags, Path out) throws Exception {
        int times = flags.integer("repeat", 1);
        List<Result> runs = new ArrayList<>();
        for (int i = 1; i <= times; i++) {
            Path runOut = times == 1 ? out : sibling(out, "-run" + i);
            try (ServerUnderTest server = startServer(scenario, flags, runOut)) {
                Result r = run(scenario, flags, server);
                if (times > 1) {
                    System.out.println("\n### run " + i + " of " + times);
                    Report.table(r, System.out);
                    Report.json(r, runOut);
                }
                runs.add(r);
            }
        }
        if (times > 1) {
            System.out.println("\n### median of " + times + " runs");
        }
        return Medians.of(runs);
    }

    static Path sibling(Path out, String suffix) {
        return Path.of(out.toString().replaceFirst("\\.json$", "") + suffix + ".json");
    }

    /** Starts a peer ({@code CometdPeer}, …) from the bench jar as a child JVM with the same heap and JVM flags as Halley's. */
    private static ServerUnderTest startPeer(String mainClass, Flags flags, Path out) throws Exception {
        Path log = Path.of(out.toString().replaceFirst("\\.json$", "") + "-server.log");
        List<String> jvm = serverJvm(flags);
        System.err.println("starting peer " + mainClass + ": " + jvm);
        return ChildServer.startMain(mainClass, jvm, split(flags.string("peer-args", "")), log);
    }

    private static List<String> serverJvm(Flags flags) {
        List<String> jvm = new ArrayList<>();
        jvm.add("-Xmx" + flags.string("server-heap", "1g"));
        jvm.add("-Xms" + flags.string("server-heap", "1g"));
        jvm.addAll(split(flags.string("server-jvm", "")));
        return jvm;
    }

    /** Runs {@code scenario} against {@code server} and returns its result (used by the smoke test too). */
    public static Result run(String scenario, Flags flags, ServerUnderTest server) throws Exception {
        try (Bench bench = new Bench(scenario, flags, server)) {
            return switch (scenario) {
                case "longpoll" -> new LongPollScenario(bench, false).run();
                case "jsonp" -> new LongPollScenario(bench, true).run();
                case "longpoll-bayeux" -> new BayeuxLongPollScenario(bench).run();
                case "fanout-bayeux" -> new BayeuxFanoutScenario(bench).run();
                case "poll" -> new PollScenario(bench).run();
                case "fanout" -> new FanoutScenario(bench, Transport.of(flags.string("transport", "ws"))).run();
                case "iframe" -> new FanoutScenario(bench, Transport.IFRAME).run();
                case "fanout-vertx" -> FanoutScenario.onPeer(bench, SockJsSideBySide.transport(flags)).run();
                case "idle" -> new IdleScenario(bench).run();
                case "storm" -> new StormScenario(bench).run();
                case "chat" -> new ChatScenario(bench, false).run();
                case "chat-bayeux" -> new ChatScenario(bench, true).run();
                case "fanout-pushpin", "fanout-nchan" -> FanoutScenario.onInstalledPeer(bench,
                        Transport.of(flags.string("transport", "sse")), InstalledPeer.of(server, scenario)).run();
                case "longpoll-pushpin", "longpoll-nchan" -> new InstalledPeerLongPollScenario(bench, InstalledPeer.of(server, scenario)).run();
                default -> throw new IllegalArgumentException("unknown scenario: " + scenario + "\n" + USAGE);
            };
        }
    }

    private static ServerUnderTest startServer(String scenario, Flags flags, Path out) throws Exception {
        if (flags.has("target")) {
            String t = flags.string("target", "");
            int colon = t.lastIndexOf(':');
            return ServerUnderTest.remote(new InetSocketAddress(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1))),
                    Long.parseLong(flags.string("server-pid", "0")));
        }
        if (scenario.endsWith("-bayeux") && BayeuxTarget.of(flags) == BayeuxTarget.COMETD) {
            return startPeer("dev.halley.bench.peer.CometdPeer", flags, out);
        }
        if (scenario.endsWith("-vertx")) {
            return startPeer("dev.halley.bench.peer.VertxSockJsPeer", flags, out);
        }
        if (InstalledPeer.Kind.ofScenario(scenario) != null) {
            return InstalledPeer.start(scenario, flags, out);
        }
        List<String> jvm = serverJvm(flags);
        if (scenario.equals("idle")) {
            // Native memory per connection is read from NMT's summary (about 2 % overhead; idle only).
            jvm.add("-XX:NativeMemoryTracking=summary");
        }
        Path jar = flags.has("server-jar") ? Path.of(flags.string("server-jar", "")) : ChildServer.defaultJar();
        Path log = Path.of(out.toString().replaceFirst("\\.json$", "") + "-server.log");
        System.err.println("starting server: " + jar + " " + jvm);
        return ChildServer.start(jar, jvm, split(flags.string("server-args", "")), log);
    }

    private static List<String> split(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }
}
