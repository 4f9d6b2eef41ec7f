package dev.halley.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code fanout --peer pushpin|nchan --transport sse|stream} and {@code longpoll --peer pushpin|nchan}:
 * the workload on Halley's native protocol over the same transport, then on the installed peer
 * ({@code fanout-pushpin}, {@code longpoll-nchan}, …), each server alone with the generator and each
 * run {@code --repeat} times (medians); one table with both runs' rows and the ratios Halley / peer.
 * The flags are checked, and the peer's installation, before Halley's half of the run.
 */
final class InstalledPeerSideBySide {
    private InstalledPeerSideBySide() {
    }

    static void run(String scenario, Flags flags, Path out) throws Exception {
        InstalledPeer.Kind kind = InstalledPeer.Kind.ofFlag(flags.string("peer", ""));
        SideBySide side = side(scenario, kind, flags);
        Path halleyOut = BenchMain.sibling(out, "-halley");
        Result halley = BenchMain.repeated(scenario, flags, halleyOut);
        Report.table(halley, System.out);
        Report.json(halley, halleyOut);
        Path peerOut = BenchMain.sibling(out, "-" + kind.flag());
        Result peer = BenchMain.repeated(scenario + "-" + kind.flag(), flags, peerOut);
        Report.table(peer, System.out);
        Report.json(peer, peerOut);
        Result both = side.combine(halley, peer);
        side.table(both, System.out);
        Report.json(both, out);
        SvgChart.writeSideBySide(both, List.of(side.halleyLabel(), side.peerLabel()),
                Path.of(out.toString().replaceFirst("\\.json$", "") + ".svg"));
        System.err.println("results: " + out + " (and " + halleyOut.getFileName() + ", " + peerOut.getFileName() + ")");
    }

    /**
     * The two sides' labels for {@code scenario} against {@code kind}.
     *
     * @throws IllegalArgumentException for a scenario or flags the peer cannot run, or when it is not installed
     */
    static SideBySide side(String scenario, InstalledPeer.Kind kind, Flags flags) {
        String transport = switch (scenario) {
            case "longpoll" -> "longpoll";
            case "fanout" -> flags.string("transport", "");
            default -> throw new IllegalArgumentException("--peer " + kind.flag() + " runs with longpoll and fanout, not " + scenario);
        };
        if (!transport.equals("longpoll") && !transport.equals("sse") && !transport.equals("stream")) {
            throw new IllegalArgumentException("fanout --peer " + kind.flag() + " needs --transport sse or stream");
        }
        if (kind == InstalledPeer.Kind.NCHAN && !flags.string("batches", "1").equals("1")) {
            throw new IllegalArgumentException("Nchan takes one message per publish request: run it with --batches 1");
        }
        String why = kind.missing();
        if (why != null) {
            throw new IllegalArgumentException(kind.flag() + " is not installed: " + why);
        }
        String halley = switch (transport) {
            case "sse" -> "Halley (native SSE)";
            case "stream" -> "Halley (native streaming)";
            default -> "Halley (native long-poll)";
        };
        return new SideBySide(scenario + "-side-by-side", halley, kind.label(transport), kind.shortName());
    }
}
