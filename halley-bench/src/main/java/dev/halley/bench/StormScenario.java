package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * {@code storm}: N subscribers follow one channel; all disconnect; {@code --missed} messages are
 * published while they are away; then all reconnect at once, resuming (WebSocket: {@code since}
 * with the epoch; HTTP streams: the last cursor). Reports sessions established per second, time
 * from the storm's start to each session and to each client's first (replayed) message, and
 * verifies that every client ends with every offset exactly once.
 */
final class StormScenario {
    private final Bench bench;

    StormScenario(Bench bench) {
        this.bench = bench;
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int n = f.integer("clients", 10_000);
        int missed = f.integer("missed", 5);
        Transport transport = Transport.of(f.string("transport", "ws"));
        String channel = bench.freshChannel("storm");
        Stats stats = bench.stats();
        List<String> notes = new ArrayList<>();
        bench.phase("connect");
        Subscribers first = new Subscribers(bench, transport, channel);
        long up = first.open(n, Duration.ofSeconds(30));
        try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 4)) {
            pub.loop().submit(pub::publishOne).get(5, TimeUnit.SECONDS);
            pub.finish();
            Bench.await(() -> first.minOffset() >= 1, Duration.ofSeconds(30));
            bench.phase("disconnect");
            first.close();
            Bench.await(() -> stats.connected.sum() <= 0, Duration.ofSeconds(30));
            for (int i = 0; i < missed; i++) {
                pub.loop().submit(pub::publishOne).get(5, TimeUnit.SECONDS);
                pub.finish();
            }
            long published = pub.published();
            bench.phase("storm");
            Storm storm = new Storm(published);
            Window w = Window.open(stats, bench.server());
            long start = System.nanoTime();
            storm.start = start;
            List<PushConn> again = new ArrayList<>();
            for (PushConn old : first.conns) {
                PushConn c = new PushConn(transport, channel, storm);
                storm.last.put(c, new long[] {1});
                again.add(c);
                c.open(bench.loops(), bench.target(), old.cursor(), transport == Transport.WS ? 1 : -1);
            }
            boolean allUp = Bench.await(() -> storm.established.sum() >= up, Duration.ofSeconds(60));
            double upSecs = (storm.lastEstablished - start) / 1e9;
            boolean allCaughtUp = Bench.await(() -> storm.caughtUp.sum() >= up, Duration.ofSeconds(60));
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("clients", up);
            x.put("established", storm.established.sum());
            x.put("allEstablishedSec", upSecs);
            x.put("sessionP50Ms", Stats.ms(storm.toSession, 50));
            x.put("sessionP99Ms", Stats.ms(storm.toSession, 99));
            x.put("firstMsgP50Ms", Stats.ms(storm.toFirst, 50));
            x.put("firstMsgP99Ms", Stats.ms(storm.toFirst, 99));
            x.put("missedPublished", missed);
            x.put("caughtUp", storm.caughtUp.sum());
            x.put("lost", stats.lost.sum());
            x.put("duplicates", storm.duplicates.sum());
            Row row = w.close(transport + " reconnect ×" + up, 0, "sessions/s", x);
            row = new Row(row.label(), storm.established.sum() / Math.max(upSecs, 1e-9), row.unit(), Stats.ms(storm.toFirst, 50),
                    Stats.ms(storm.toFirst, 99), Stats.ms(storm.toFirst, 99.9), storm.toFirst.getMaxValue() / 1000.0,
                    row.errors(), row.serverCpuPct(), row.serverRssMiB(), x);
            notes.add("storm: latency columns are storm start → each client's first replayed message; session times in details.");
            if (!allUp || !allCaughtUp) {
                notes.add("not every client re-established (" + storm.established.sum() + ") or caught up to offset " + published
                        + " (" + storm.caughtUp.sum() + ") within 60 s");
            }
            again.forEach(PushConn::close);
            return bench.result(List.of(row), notes);
        }
    }

    /** The reconnecting subscribers' listener: session and first-message times, offsets checked. */
    private final class Storm implements PushConn.Listener {
        private final long published;
        final Map<PushConn, long[]> last = new ConcurrentHashMap<>();
        final LongAdder established = new LongAdder();
        final LongAdder caughtUp = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final Histogram toSession = new ConcurrentHistogram(Stats.MAX_MICROS, 3);
        final Histogram toFirst = new ConcurrentHistogram(Stats.MAX_MICROS, 3);
        volatile long start;
        volatile long lastEstablished;

        Storm(long published) {
            this.published = published;
        }

        @Override
        public void established(PushConn conn) {
            long now = System.nanoTime();
            toSession.recordValue(Math.min(Stats.MAX_MICROS, (now - start) / 1000));
            lastEstablished = Math.max(lastEstablished, now);
            established.increment();
            bench.stats().connected.increment();
        }

        @Override
        public void message(PushConn conn, String channel, long offset, long stampNanos) {
            long[] l = last.get(conn);
            if (offset <= l[0]) {
                duplicates.increment();
                return;
            }
            if (l[0] == 1 && offset >= 2) {
                toFirst.recordValue(Math.min(Stats.MAX_MICROS, (System.nanoTime() - start) / 1000));
            }
            if (offset > l[0] + 1) {
                bench.stats().lost.add(offset - l[0] - 1);
            }
            l[0] = offset;
            bench.stats().messages.increment();
            if (offset == published) {
                caughtUp.increment();
            }
        }

        @Override
        public void closed(PushConn conn, boolean wasEstablished) {
            if (wasEstablished) {
                bench.stats().connected.decrement();
            }
        }
    }
}
