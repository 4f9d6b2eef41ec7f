package dev.halley.bench;

import dev.halley.server.HalleyConfig;
import dev.halley.server.HalleyServer;
import java.net.InetSocketAddress;
import java.util.Map;

/** Halley in the test's JVM on port 0: quick to start; sampled as this process. */
final class InProcessServer implements ServerUnderTest {
    private final HalleyServer server;
    private final ProcessSampler sampler = new ProcessSampler(ProcessHandle.current().pid());

    InProcessServer() throws InterruptedException {
        this(HalleyConfig.defaults());
    }

    /** {@code config} on port 0. */
    InProcessServer(HalleyConfig config) throws InterruptedException {
        server = HalleyServer.start(config.withPort(0));
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    @Override
    public ProcessSampler sampler() {
        return sampler;
    }

    @Override
    public long heapAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("mode", "in-process");
    }

    @Override
    public void close() {
        server.close();
    }
}
