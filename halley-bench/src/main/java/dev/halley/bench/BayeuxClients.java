package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The {@link BayeuxClient}s of one run, all on one connection type, opened in batches of 500
 * (each batch subscribed before the next starts, so a server's accept and handshake path is not
 * flooded at once) and counted through one {@link Tally}.
 */
final class BayeuxClients {
    private final Bench bench;
    private final BayeuxClient.Wire wire;
    private final Tally tally;
    private final List<BayeuxClient> clients = new ArrayList<>();

    BayeuxClients(Bench bench, BayeuxClient.Wire wire) {
        this.bench = bench;
        this.wire = wire;
        this.tally = new Tally(bench.stats());
    }

    /** The connection type a scenario's {@code --transport} names: {@code longpoll} or {@code ws}. */
    static BayeuxClient.Wire wire(String transport) {
        return switch (transport) {
            case "longpoll" -> BayeuxClient.Wire.LONG_POLLING;
            case "ws" -> BayeuxClient.Wire.WEBSOCKET;
            default -> throw new IllegalArgumentException("Bayeux runs over --transport ws or longpoll, not " + transport);
        };
    }

    /**
     * Opens {@code n} clients, client {@code i} (from 0) subscribed to {@code channelsOf.apply(i)},
     * waiting up to 30 s a batch; returns how many subscribed.
     */
    long open(int n, IntFunction<List<String>> channelsOf) throws Exception {
        Duration batchLimit = Duration.ofSeconds(30);
        if (wire == BayeuxClient.Wire.LONG_POLLING) {
            int[] next = {0};
            HttpConn.connectInBatches(bench, n, () -> new BayeuxClient(bench, tally, channelsOf.apply(next[0]++), wire),
                    BayeuxClient::attach, BayeuxClient::handshake,
                    started -> Bench.await(() -> tally.established.sum() >= started, batchLimit), clients);
        } else {
            Bench.openInBatches(n, i -> {
                BayeuxClient c = new BayeuxClient(bench, tally, channelsOf.apply(i), wire);
                clients.add(c);
                c.open();
            }, tally.established::sum, batchLimit);
        }
        return tally.established.sum();
    }

    BayeuxClient.Wire wire() {
        return wire;
    }

    Tally tally() {
        return tally;
    }

    /** Every client's channels and what it saw of them. */
    List<Followed> followed() {
        return clients.stream().map(BayeuxClient::followed).toList();
    }

    /** Waits (bounded) until every client has seen {@code published} messages of each of its channels; false if not. */
    boolean awaitAll(long published, Duration within) throws InterruptedException {
        return Bench.await(() -> clients.stream().allMatch(c -> c.followed().unseen(ch -> published) == 0), within);
    }

    /** Messages of {@code published} per channel that no client saw, summed over the clients. */
    long unseen(long published) {
        return clients.stream().mapToLong(c -> c.followed().unseen(ch -> published)).sum();
    }

    /** Clients that miss at least one of {@code published} per channel. */
    long incomplete(long published) {
        return clients.stream().filter(c -> c.followed().unseen(ch -> published) > 0).count();
    }

    /** The fewest messages any client saw (for a drain note). */
    long lowest() {
        return clients.stream().mapToLong(c -> c.followed().distinct()).min().orElse(0);
    }

    /** No more connects: each client's connect in flight is its last. */
    void stop() {
        clients.forEach(BayeuxClient::stop);
    }

    void close() {
        clients.forEach(BayeuxClient::close);
    }

    @Override
    public String toString() {
        return "BayeuxClients[" + wire.bayeuxName() + " " + clients.size() + " clients, " + tally.established.sum()
                + " subscribed, " + tally.dropped.sum() + " dropped]";
    }
}
