package dev.halley.bench;

import dev.halley.bench.peer.ExternalPeer;
import dev.halley.bench.peer.NchanPeer;
import dev.halley.bench.peer.PushpinPeer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Pushpin or nginx + Nchan, installed from Debian and run by the bench as child processes
 * ({@link PushpinPeer}, {@link NchanPeer}), as the server a scenario drives: {@code fanout-pushpin},
 * {@code fanout-nchan} ({@code --transport sse|stream}), {@code longpoll-pushpin},
 * {@code longpoll-nchan}. Sampled as a process tree (Pushpin's runner with condure, zurl,
 * pushpin-proxy and pushpin-handler; nginx's master with its workers). Publishes carry the
 * publisher's sequence number ({@code "n"}), since the peers' messages carry no Halley offset.
 */
public final class InstalledPeer implements ServerUnderTest {
    /** Connections the publisher keeps open, as for Halley. */
    private static final int PUBLISH_CONNECTIONS = 8;

    /** The installed peers the bench can drive. */
    public enum Kind {
        PUSHPIN,
        NCHAN;

        /** The {@code --peer} name and scenario suffix: {@code pushpin}, {@code nchan}. */
        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Why it cannot run on this machine, or null when it can. */
        public String missing() {
            return this == PUSHPIN ? PushpinPeer.missing() : NchanPeer.missing();
        }

        /** Name and version for tables: {@code Pushpin 1.36.0}, {@code Nchan 1.3.6 on nginx 1.22.1}. */
        public String label() {
            return this == PUSHPIN ? PushpinPeer.version().replaceFirst("^pushpin", "Pushpin") : NchanPeer.version();
        }

        /** The peer in ratio rows and notes: {@code Pushpin}, {@code Nchan}. */
        String shortName() {
            return this == PUSHPIN ? "Pushpin" : "Nchan";
        }

        /** The peer's name for one transport: {@code Pushpin 1.36.0 (GRIP stream hold, SSE)}, … */
        String label(String transport) {
            String how = switch (transport) {
                case "sse" -> this == PUSHPIN ? "GRIP stream hold, SSE" : "EventSource";
                case "stream" -> this == PUSHPIN ? "GRIP stream hold, lines" : "http-raw-stream";
                default -> this == PUSHPIN ? "GRIP response hold + since cursor" : "long-poll, Last-Modified/Etag";
            };
            return label() + " (" + how + ")";
        }

        /** The kind a peer scenario ({@code fanout-pushpin}, …) runs against, or null for Halley's scenarios. */
        static Kind ofScenario(String scenario) {
            return Arrays.stream(values()).filter(k -> scenario.endsWith("-" + k.flag())).findFirst().orElse(null);
        }

        /** The kind named by {@code --peer}, or null. */
        static Kind ofFlag(String peer) {
            return Arrays.stream(values()).filter(k -> k.flag().equals(peer)).findFirst().orElse(null);
        }
    }

    private final Kind kind;
    private final ExternalPeer peer;
    private final ProcessSampler sampler;

    private InstalledPeer(Kind kind, ExternalPeer peer) {
        this.kind = kind;
        this.peer = peer;
        this.sampler = ProcessSampler.tree(peer.pid());
    }

    /**
     * Starts {@code kind} sized for a run of {@code messages} messages (kept whole, per channel, for
     * long-poll clients that fall behind) with long-polls held {@code holdSeconds}; its output to {@code log}
     * (null: discarded with its scratch directory).
     */
    public static InstalledPeer start(Kind kind, int messages, int holdSeconds, Path log) throws Exception {
        ExternalPeer.Config config = new ExternalPeer.Config(messages, holdSeconds, log);
        ExternalPeer p = kind == Kind.PUSHPIN ? PushpinPeer.start(config) : NchanPeer.start(config);
        return new InstalledPeer(kind, p);
    }

    /** Starts the peer a peer scenario needs, sized from its flags; its log next to the results. */
    static InstalledPeer start(String scenario, Flags flags, Path out) throws Exception {
        Kind kind = Kind.ofScenario(scenario);
        String why = kind.missing();
        if (why != null) {
            throw new IllegalStateException(kind.flag() + " is not installed: " + why);
        }
        Path log = Path.of(out.toString().replaceFirst("\\.json$", "") + "-server.log");
        System.err.println("starting " + kind.label() + " (log " + log + ")");
        return start(kind, messagesInRun(scenario, flags), flags.integer("timeout", 30), log);
    }

    /**
     * An upper bound on the messages one channel gets in a run of {@code scenario} with {@code flags}
     * (the paced rate over the whole run, with room to spare), so that no message ages out of the
     * peers' buffers before the run ends.
     */
    static int messagesInRun(String scenario, Flags flags) {
        double total;
        if (scenario.startsWith("fanout")) {
            double step = flags.duration("step", Duration.ofSeconds(10)).toMillis() / 1000.0;
            double perBatch = Arrays.stream(flags.string("rates", FanoutScenario.RATES).split(","))
                    .mapToDouble(Double::parseDouble).sum() * step;
            double batches = Arrays.stream(flags.string("batches", "1").split(",")).mapToDouble(Double::parseDouble).sum();
            total = flags.integer("singles", 5) + perBatch * batches;
        } else {
            double seconds = (flags.duration("warmup", Duration.ofSeconds(5)).toMillis()
                    + flags.duration("duration", Duration.ofSeconds(30)).toMillis()) / 1000.0 + 20;
            total = 1 + flags.decimal("rate", 10) * seconds;
        }
        return (int) Math.min(1_000_000, Math.ceil(total * 1.2) + 100);
    }

    /** The peer {@code server} is, for a scenario that needs one. */
    static InstalledPeer of(ServerUnderTest server, String scenario) {
        if (server instanceof InstalledPeer p) {
            return p;
        }
        throw new IllegalArgumentException(scenario + " runs against the peer it starts itself (no --target)");
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Subscribers to {@code channel}. Pushpin's are opened 100 at a time: in larger bursts its proxy
     * fails some of them ({@code 502}, even after the {@code 200} head) when it cannot hand the origin
     * requests to zurl at once; the fan-out scenario measures delivery, not a subscribe storm.
     */
    Subscribers subscribers(Bench bench, Transport transport, String channel) {
        return Subscribers.ofPeer(bench, transport, channel, kind == Kind.PUSHPIN ? 100 : 500);
    }

    /** A publisher to {@code channel} through the peer's publish endpoint, each message numbered ({@code "n"}). */
    Publisher publisher(Bench bench, String channel) throws Exception {
        return Publisher.open(bench.loops(), peer.publishAddress(), channel, PUBLISH_CONNECTIONS, peer.publishPath(channel), true);
    }

    @Override
    public InetSocketAddress address() {
        return peer.address();
    }

    @Override
    public ProcessSampler sampler() {
        return sampler;
    }

    @Override
    public long heapAfterGc() {
        return -1;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>(peer.describe());
        d.put("sampled", "process tree of pid " + peer.pid() + " (summed CPU and RSS)");
        return d;
    }

    @Override
    public void close() {
        peer.close();
    }

    @Override
    public String toString() {
        return "InstalledPeer[" + kind + " " + peer + "]";
    }
}
