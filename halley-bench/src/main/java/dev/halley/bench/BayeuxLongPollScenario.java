package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code longpoll-bayeux}: the {@code longpoll} workload spoken in Bayeux 1.0 long-polling, to the
 * CometD peer or to Halley's own {@code /cometd} ({@code --bayeux-server cometd|halley},
 * {@link BayeuxTarget}): N {@link BayeuxClient}s each handshake (long-polling only), subscribe to
 * one channel, then loop {@code /meta/connect}; messages arrive in the connect replies. The
 * publisher paces messages through the server's publish path ({@code POST /publish} of the peer,
 * {@code POST /api/publish} of Halley), numbered ({@code "n"}) since Bayeux gives no offsets. One
 * completed cycle = one {@code /meta/connect} reply carrying at least one message. The server's
 * heap per connection is taken once every client has subscribed, as {@code chat} does.
 *
 * <p>Flags as {@code longpoll}: {@code --clients --duration --warmup --rate}.
 */
final class BayeuxLongPollScenario {
    private final Bench bench;
    private final String channel;
    private final BayeuxClients clients;

    BayeuxLongPollScenario(Bench bench) {
        this.bench = bench;
        this.channel = bench.freshChannel("bayeux");
        this.clients = new BayeuxClients(bench, BayeuxClient.Wire.LONG_POLLING);
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int n = f.integer("clients", 10_000);
        double rate = f.decimal("rate", 10);
        Duration duration = f.duration("duration", Duration.ofSeconds(30));
        Duration warmup = f.duration("warmup", Duration.ofSeconds(5));
        BayeuxTarget target = BayeuxTarget.of(f);
        Tally tally = clients.tally();

        bench.phase("baseline");
        ConnMemory baseline = ConnMemory.baseline(bench.server());
        try {
            bench.phase("connect");
            long up = clients.open(n, i -> List.of(channel));
            if (up < n) {
                throw new IllegalStateException("only " + up + " of " + n + " Bayeux clients subscribed");
            }
            Map<String, Object> memory = baseline.connected(up);
            try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 8, target.publishPath(), true)) {
                PacedWindow paced = PacedWindow.measure(bench, pub, n, rate, warmup, duration);
                long published = paced.published();
                boolean complete = clients.awaitAll(published, Duration.ofSeconds(15));
                clients.stop();
                Map<String, Object> x = paced.extra();
                x.put("publishErrors", pub.errors.sum());
                x.put("emptyPolls", tally.empty.sum());
                x.put("lost", clients.unseen(published));
                x.put("duplicates", tally.duplicates.sum());
                x.put("reordered", tally.reordered.sum());
                x.put("incompleteClients", clients.incomplete(published));
                x.putAll(memory);
                List<String> notes = new ArrayList<>();
                notes.add(String.format("Bayeux long-polling to %s: %d clients on %s; a cycle is one /meta/connect reply carrying"
                        + " ≥1 message; latency is publish → receive.", target.serverName(), n, channel));
                if (!complete) {
                    notes.add("drain: not every client reached message " + published + " within 15 s (lowest " + clients.lowest() + ")");
                }
                return bench.result(List.of(paced.row()), notes);
            }
        } finally {
            clients.close();
        }
    }
}
