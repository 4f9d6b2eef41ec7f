package dev.halley.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server's memory per connection, as {@code chat} measures it: heap right after a full GC
 * ({@link ServerUnderTest#heapAfterGc()}) and RSS before any client connects, the same once they
 * have, the difference divided by the clients. Unknown figures (a server that cannot be sampled)
 * are NaN or -1, never guessed.
 */
final class ConnMemory {
    private final ServerUnderTest server;
    private final long heap0;
    private final long rss0;

    private ConnMemory(ServerUnderTest server) {
        this.server = server;
        this.heap0 = server.heapAfterGc();
        this.rss0 = rss(server);
    }

    /** Takes the baseline now: call before the first client connects. */
    static ConnMemory baseline(ServerUnderTest server) {
        return new ConnMemory(server);
    }

    /**
     * Row details once {@code clients} are connected: {@code heapBaselineMiB}, {@code heapConnectedMiB},
     * {@code heapPerConnBytes} and {@code rssPerConnBytes} (-1 when unknown).
     */
    Map<String, Object> connected(long clients) {
        long heap1 = server.heapAfterGc();
        long rss1 = rss(server);
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("heapBaselineMiB", mib(heap0));
        x.put("heapConnectedMiB", mib(heap1));
        x.put("heapPerConnBytes", clients == 0 || heap0 < 0 || heap1 < 0 ? -1 : (heap1 - heap0) / clients);
        x.put("rssPerConnBytes", clients == 0 || rss0 < 0 || rss1 < 0 ? -1 : (rss1 - rss0) / clients);
        return x;
    }

    private static long rss(ServerUnderTest server) {
        return server.sampler() == null ? -1 : server.sampler().rssBytes();
    }

    private static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }

    @Override
    public String toString() {
        return "ConnMemory[heap0=" + heap0 + " rss0=" + rss0 + "]";
    }
}
