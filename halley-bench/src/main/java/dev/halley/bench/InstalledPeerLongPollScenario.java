package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code longpoll-pushpin} and {@code longpoll-nchan}: the {@code longpoll} workload against an
 * installed peer. N {@link InstalledPeerLongPoller}s poll one fresh channel, each re-polling at once
 * from where it left off, while the publisher paces numbered messages through the peer's publish
 * endpoint (the same {@link PacedWindow} as Halley's run). One completed cycle = one answer
 * carrying at least one message. At the end every client must have seen every message once;
 * what one did not is counted as lost, what it saw twice as a duplicate.
 *
 * <p>Flags as {@code longpoll}: {@code --clients --duration --warmup --rate --timeout}.
 */
final class InstalledPeerLongPollScenario {
    private final Bench bench;
    private final InstalledPeer peer;
    private final String channel;
    private final List<InstalledPeerLongPoller> pollers = new ArrayList<>();

    InstalledPeerLongPollScenario(Bench bench, InstalledPeer peer) {
        this.bench = bench;
        this.peer = peer;
        this.channel = bench.freshChannel("lp-" + peer.kind().flag());
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int n = f.integer("clients", 10_000);
        Tally tally = new Tally(bench.stats());
        Map<Integer, LongAdder> errorStatuses = new ConcurrentSkipListMap<>();
        bench.phase("connect");
        HttpConn.connectInBatches(bench, n, () -> new InstalledPeerLongPoller(bench, tally, errorStatuses, peer.kind(), channel),
                InstalledPeerLongPoller::attach, InstalledPeerLongPoller::start, started -> { }, pollers);
        try (Publisher pub = peer.publisher(bench, channel)) {
            PacedWindow paced = PacedWindow.measure(bench, pub, n, f.decimal("rate", 10),
                    f.duration("warmup", Duration.ofSeconds(5)), f.duration("duration", Duration.ofSeconds(30)));
            long published = paced.published();
            // Up to the hold and then some: a Pushpin client whose hold missed the last message (see
            // docs/benchmarks-peers.md) gets it when the hold times out and it polls again.
            long drainStart = System.nanoTime();
            boolean drained = Bench.await(() -> pollers.stream().allMatch(p -> p.followed().distinct() >= published),
                    Duration.ofSeconds(f.integer("timeout", 30) + 5L));
            long drainMs = (System.nanoTime() - drainStart) / 1_000_000;
            pollers.forEach(InstalledPeerLongPoller::stop);
            Map<String, Object> x = paced.extra();
            x.put("publishErrors", pub.errors.sum());
            x.put("emptyPolls", tally.empty.sum());
            x.put("lost", pollers.stream().mapToLong(p -> p.followed().unseen(c -> published)).sum());
            x.put("duplicates", tally.duplicates.sum());
            x.put("reordered", tally.reordered.sum());
            x.put("incompleteClients", pollers.stream().filter(p -> p.followed().distinct() != published).count());
            x.put("drainMs", drainMs);
            Map<String, Long> statuses = new LinkedHashMap<>();
            errorStatuses.forEach((status, count) -> statuses.put(Integer.toString(status), count.sum()));
            x.put("errorStatuses", statuses);
            List<String> notes = new ArrayList<>();
            notes.add(String.format("%s long-polling: %d clients on %s; a cycle is one answer carrying ≥1 message;"
                    + " latency is publish → receive; lost = messages published that a client never received.",
                    peer.kind().label(), n, channel));
            if (drainMs > 1000) {
                notes.add(String.format("late: the last client had every message %.1f s after the last publish", drainMs / 1000.0));
            }
            if (!drained) {
                notes.add("drain: not every client had all " + published + " messages by the end of the hold (fewest "
                        + pollers.stream().mapToLong(p -> p.followed().distinct()).min().orElse(0) + ")");
            }
            return bench.result(List.of(paced.row()), notes);
        } finally {
            pollers.forEach(InstalledPeerLongPoller::close);
        }
    }
}
