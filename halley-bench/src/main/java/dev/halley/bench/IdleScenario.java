package dev.halley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle}: per transport, ramps to N idle subscriptions (nothing is published), then reports
 * the server's heap after a full GC and its RSS, each as a delta over the baseline and per
 * connection. N is capped below this process's open-files limit. Throughput is the ramp's
 * sessions established per second.
 */
final class IdleScenario {
    private final Bench bench;
    private final List<String> notes = new ArrayList<>();

    IdleScenario(Bench bench) {
        this.bench = bench;
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int wanted = f.integer("clients", 19_000);
        long limit = openFilesLimit();
        int n = (int) Math.min(wanted, limit > 0 ? limit - 500 : wanted);
        if (n < wanted) {
            notes.add("capped at " + n + " connections: open-files limit " + limit + " (ulimit -n)");
        }
        List<Row> rows = new ArrayList<>();
        for (String t : f.string("transports", "ws,sse,stream,longpoll").split(",")) {
            rows.add(measure(t.trim(), n));
        }
        notes.add("heap = server heap used after a full GC (jcmd GC.run + GC.heap_info); per-connection figures are"
                + " deltas over the idle baseline divided by connections; RSS is the server process's resident memory (touched heap pages and native memory); kernel socket buffers are not part of it."
                + " native = memory outside the heap as Native Memory Tracking counts it (the server runs with"
                + " -XX:NativeMemoryTracking=summary; direct buffers are under \"Other\"), without the JIT's categories;"
                + " each transport is measured after a warm-up round of 1,000 connections opened and closed.");
        return bench.result(rows, notes);
    }

    private Row measure(String transport, int n) throws Exception {
        // A warm-up round first: code the JIT compiles and classes loaded for this transport are
        // paid once per process, not per connection, and must not count as such.
        bench.phase(transport + " warm-up");
        Held warm = hold(transport, Math.min(n, 1_000));
        warm.closer().close();
        Bench.await(() -> bench.stats().connected.sum() <= 0, Duration.ofSeconds(30));
        // The histogram (a full GC) comes first, so the heap figure after it is of the same live set.
        bench.phase(transport + " baseline");
        ServerUnderTest server = bench.server();
        Map<String, Jcmd.Instances> histo0 = server.pid() > 0 ? Jcmd.classHistogram(server.pid()) : Map.of();
        long heap0 = server.heapAfterGc();
        Map<String, Long> native0 = server.pid() > 0 ? Jcmd.nativeCommitted(server.pid()) : Map.of();
        long rss0 = server.sampler() == null ? -1 : server.sampler().rssBytes();
        bench.phase(transport + " ramp");
        Window w = Window.open(bench.stats(), server);
        Held held = hold(transport, n);
        long up = held.count();
        double rampSecs = w.seconds();
        bench.phase(transport + " held");
        Map<String, Jcmd.Instances> histo1 = server.pid() > 0 ? Jcmd.classHistogram(server.pid()) : Map.of();
        long heap1 = server.heapAfterGc();
        Map<String, Long> native1 = native0.isEmpty() ? Map.of() : Jcmd.nativeCommitted(server.pid());
        long rss1 = server.sampler() == null ? -1 : server.sampler().rssBytes();
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("connections", up);
        x.put("heapBaselineMiB", mib(heap0));
        x.put("heapMiB", mib(heap1));
        x.put("heapPerConnBytes", up == 0 || heap0 < 0 ? -1 : (heap1 - heap0) / up);
        x.put("nativePerConnBytes", up == 0 || native1.isEmpty() ? -1 : (Jcmd.outsideHeap(native1) - Jcmd.outsideHeap(native0)) / up);
        x.put("rssPerConnBytes", up == 0 || rss0 < 0 ? -1 : (rss1 - rss0) / up);
        List<String> growth = Jcmd.growthPerConnection(histo0, histo1, up, 25);
        if (!growth.isEmpty()) {
            notes.add(transport + ": live heap per connection by owner: " + Jcmd.growthByOwner(histo0, histo1, up)
                    + "; by class (histogram delta): " + String.join("; ", growth));
        }
        List<String> nativeGrowth = Jcmd.nativeGrowthPerConnection(native0, native1, up);
        if (!nativeGrowth.isEmpty()) {
            notes.add(transport + ": native memory per connection by NMT category: " + String.join("; ", nativeGrowth));
        }
        Row row = w.close(transport, up, "conn/s", x);
        row = new Row(row.label(), up / rampSecs, row.unit(), row.p50Ms(), row.p99Ms(), row.p999Ms(), row.maxMs(),
                row.errors(), row.serverCpuPct(), row.serverRssMiB(), row.extra());
        bench.phase(transport + " close");
        held.closer().close();
        Bench.await(() -> bench.stats().connected.sum() <= 0, Duration.ofSeconds(30));
        return row;
    }

    private record Held(long count, Closer closer) {
    }

    /** Opens {@code n} idle connections of {@code transport}. */
    private Held hold(String transport, int n) throws Exception {
        if (transport.equals("longpoll")) {
            LongPolls lp = new LongPolls();
            return new Held(lp.open(n), lp::close);
        }
        Subscribers s = new Subscribers(bench, Transport.of(transport), bench.freshChannel("idle"));
        return new Held(s.open(n, Duration.ofSeconds(30)), s::close);
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }

    /** This process's soft open-files limit, or -1. */
    static long openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @FunctionalInterface
    private interface Closer {
        void close();
    }

    /** Idle long-polls: each connection holds one poll (timeout at the server's maximum) on a quiet channel. */
    private final class LongPolls implements HttpConn.Listener {
        private final List<HttpConn> conns = new ArrayList<>();
        private final String uri = "/longpoll?channel=" + Transport.enc(bench.freshChannel("idle-lp")) + "&timeout=120";
        private volatile boolean closing;

        long open(int n) throws Exception {
            for (int from = 0; from < n; from += 500) {
                List<CompletableFuture<HttpConn>> opening = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 500); i++) {
                    CompletableFuture<HttpConn> f = new CompletableFuture<>();
                    HttpConn.connect(bench.loops(), bench.target(), this, f::complete, f::completeExceptionally);
                    opening.add(f);
                }
                for (CompletableFuture<HttpConn> f : opening) {
                    HttpConn c = f.get(30, TimeUnit.SECONDS);
                    c.get(uri, true);
                    conns.add(c);
                    bench.stats().connected.increment();
                }
            }
            return conns.size();
        }

        @Override
        public void response(int status, String body) {
            bench.stats().errors.increment();
        }

        @Override
        public void closed(Throwable cause) {
            bench.stats().connected.decrement();
            if (!closing) {
                bench.stats().errors.increment();
            }
        }

        void close() {
            closing = true;
            conns.forEach(HttpConn::close);
        }
    }
}
