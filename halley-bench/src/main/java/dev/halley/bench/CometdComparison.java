package dev.halley.bench;

import dev.halley.bench.Comparison.Contender;
import dev.halley.bench.Comparison.Ratio;
import java.util.List;

/**
 * {@code longpoll|chat|fanout --peer cometd}: one workload on three servers, one after the other,
 * each alone with the generator and started fresh: Halley over its native protocol, Halley over
 * Bayeux (its {@code /cometd} door), and CometD 9 over Bayeux (the {@code CometdPeer}). The Bayeux
 * runs use the same client ({@link BayeuxClient}) and the same scenario ({@code SCENARIO-bayeux}),
 * pointed at each server by {@code --bayeux-server} ({@link BayeuxTarget}); only the publish path
 * differs. The headline ratio is Halley's Bayeux over CometD's (the same protocol); Halley native
 * over CometD says what a client gains by speaking Halley's own protocol.
 *
 * <table>
 *   <caption>runs per scenario</caption>
 *   <tr><th>scenario</th><th>Halley native</th><th>Halley Bayeux and CometD</th></tr>
 *   <tr><td>{@code longpoll}</td><td>{@code /longpoll}</td><td>long-polling</td></tr>
 *   <tr><td>{@code chat --transport ws|longpoll}</td><td>{@code /ws} or {@code /longpoll}</td><td>websocket or long-polling</td></tr>
 *   <tr><td>{@code fanout --transport ws|longpoll}</td><td>{@code /ws} (both)</td><td>websocket or long-polling</td></tr>
 * </table>
 */
final class CometdComparison {
    private static final int NATIVE = 0;
    private static final int HALLEY_BAYEUX = 1;
    private static final int COMETD = 2;

    private CometdComparison() {
    }

    /** The three runs of {@code scenario} with {@code flags} ({@code --transport} chooses the Bayeux connection type). */
    static Comparison of(String scenario, Flags flags) {
        String transport = flags.string("transport", scenario.equals("longpoll") ? "longpoll" : "ws");
        BayeuxClient.Wire wire = BayeuxClients.wire(transport);
        String bayeux = wire == BayeuxClient.Wire.WEBSOCKET ? "Bayeux websocket" : "Bayeux long-polling";
        Contender halley = switch (scenario) {
            case "longpoll" -> new Contender("Halley (native long-poll)", "Halley native", "halley", "longpoll", flags);
            case "chat" -> new Contender(wire == BayeuxClient.Wire.WEBSOCKET ? "Halley (native WebSocket)" : "Halley (native long-poll)",
                    "Halley native", "halley", "chat", flags);
            // Native fan-out is over WebSocket whatever the Bayeux type: the native protocol's best push transport.
            case "fanout" -> new Contender("Halley (native WebSocket)", "Halley native", "halley", "fanout", flags.with("transport", "ws"));
            default -> throw new IllegalArgumentException("--peer cometd runs with longpoll, chat or fanout, not " + scenario);
        };
        if (scenario.equals("longpoll") && wire != BayeuxClient.Wire.LONG_POLLING) {
            throw new IllegalArgumentException("longpoll --peer cometd is long-polling only (no --transport " + transport + ")");
        }
        String bayeuxScenario = scenario + "-bayeux";
        List<Contender> runs = List.of(halley,
                new Contender("Halley (" + bayeux + ")", "Halley Bayeux", "halley-bayeux", bayeuxScenario,
                        flags.with(BayeuxTarget.FLAG, BayeuxTarget.HALLEY.toString())),
                new Contender("CometD 9 (" + bayeux + ")", "CometD", "cometd", bayeuxScenario,
                        flags.with(BayeuxTarget.FLAG, BayeuxTarget.COMETD.toString())));
        List<Ratio> ratios = List.of(new Ratio(HALLEY_BAYEUX, COMETD, true), new Ratio(NATIVE, COMETD, false));
        String note = "Halley Bayeux / CometD is the same protocol (" + bayeux + ", the same client) on both servers; Halley native"
                + " / CometD compares Halley's own protocol" + (scenario.equals("fanout") ? " over WebSocket" : "")
                + " with CometD's Bayeux on the same workload. The three servers ran one after the other, each alone with the generator.";
        return new Comparison(scenario + "-vs-cometd", runs, ratios, note);
    }
}
