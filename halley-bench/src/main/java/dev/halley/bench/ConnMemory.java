package dev.halley.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's memory before and after a scenario's clients connect: heap after a full GC
 * ({@link ServerUnderTest#heapAfterGc()}) and RSS, and what each connected client added. Taken
 * once before connecting and once when connected, never while messages flow (a full GC would
 * show in the latencies).
 */
final class ConnMemory {
    private final ServerUnderTest server;
    private final long heap0;
    private final long rss0;

    private ConnMemory(ServerUnderTest server, long heap0, long rss0) {
        this.server = server;
        this.heap0 = heap0;
        this.rss0 = rss0;
    }

    /** The baseline, now: call before any client connects. */
    static ConnMemory baseline(ServerUnderTest server) {
        return new ConnMemory(server, server.heapAfterGc(), server.sampler() == null ? -1 : server.sampler().rssBytes());
    }

    /**
     * With {@code clients} connected: {@code heapBaselineMiB}, {@code heapConnectedMiB},
     * {@code heapPerConnBytes} and {@code rssPerConnBytes} (-1 or NaN where unknown), for a row's details.
     */
    Map<String, Object> connected(long clients) {
        long heap1 = server.heapAfterGc();
        long rss1 = server.sampler() == null ? -1 : server.sampler().rssBytes();
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("heapBaselineMiB", mib(heap0));
        x.put("heapConnectedMiB", mib(heap1));
        x.put("heapPerConnBytes", clients == 0 || heap0 < 0 || heap1 < 0 ? -1 : (heap1 - heap0) / clients);
        x.put("rssPerConnBytes", clients == 0 || rss0 < 0 ? -1 : (rss1 - rss0) / clients);
        return x;
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }
}
