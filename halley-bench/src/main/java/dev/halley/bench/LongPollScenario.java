package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code longpoll} (and {@code jsonp} with {@code callback=}): N clients long-poll one channel,
 * each re-polling at once with the returned cursor, while a publisher paces messages on it.
 * One completed cycle = one poll answered with at least one message. Every client starts from
 * the channel's first offset on a fresh channel ({@link LongPoller}), so at the end each must
 * have seen every offset exactly once.
 *
 * <p>Flags: {@code --clients 10000 --duration 30s --warmup 5s --rate 10} (messages/s),
 * {@code --channels-per-client 1} (extra quiet channels per poll), {@code --timeout 30}.
 */
final class LongPollScenario {
    private final Bench bench;
    private final boolean jsonp;
    private final String channel;
    private final List<LongPoller> pollers = new ArrayList<>();

    LongPollScenario(Bench bench, boolean jsonp) {
        this.bench = bench;
        this.jsonp = jsonp;
        this.channel = bench.freshChannel(jsonp ? "jsonp" : "lp");
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int clients = f.integer("clients", 10_000);
        double rate = f.decimal("rate", 10);
        Duration duration = f.duration("duration", Duration.ofSeconds(30));
        Duration warmup = f.duration("warmup", Duration.ofSeconds(5));
        List<String> quiet = quietChannels(f.integer("channels-per-client", 1));
        String query = "&timeout=" + f.integer("timeout", 30) + (jsonp ? "&callback=cb" : "");
        Stats stats = bench.stats();
        Tally tally = new Tally(stats);

        bench.phase("connect");
        HttpConn.connectInBatches(bench, clients, () -> new LongPoller(bench, tally, List.of(channel), quiet, query),
                LongPoller::attach, LongPoller::start, started -> { }, pollers);
        try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 8)) {
            PacedWindow paced = PacedWindow.measure(bench, pub, clients, rate, warmup, duration);
            Row measured = paced.row();
            Map<String, Object> x = paced.extra();
            long published = paced.published();
            boolean complete = Bench.await(() -> pollers.stream().allMatch(p -> lastOffset(p) >= published), Duration.ofSeconds(15));
            pollers.forEach(LongPoller::stop);
            long incomplete = pollers.stream().filter(p -> lastOffset(p) != published).count();
            x.put("emptyPolls", tally.empty.sum());
            x.put("lost", stats.lost.sum());
            x.put("duplicates", tally.duplicates.sum());
            x.put("incompleteClients", incomplete);
            List<String> notes = new ArrayList<>();
            notes.add(String.format("%s: %d clients on %s; a cycle is one answered poll carrying ≥1 message; latency is publish → receive.",
                    jsonp ? "JSONP long-polling" : "long-polling", clients, channel));
            if (!complete) {
                notes.add("drain: not every client reached offset " + published + " within 15 s (lowest "
                        + pollers.stream().mapToLong(LongPollScenario::lastOffset).min().orElse(0) + ", highest "
                        + pollers.stream().mapToLong(LongPollScenario::lastOffset).max().orElse(0) + ")");
            }
            return bench.result(List.of(measured), notes);
        } finally {
            pollers.forEach(LongPoller::close);
        }
    }

    private static long lastOffset(LongPoller p) {
        return p.followed().lowestHighest();
    }

    private static List<String> quietChannels(int perClient) {
        List<String> quiet = new ArrayList<>();
        for (int i = 1; i < perClient; i++) {
            quiet.add("/bench/quiet-" + i);
        }
        return quiet;
    }
}
