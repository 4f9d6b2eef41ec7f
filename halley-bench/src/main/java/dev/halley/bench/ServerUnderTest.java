package dev.halley.bench;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The server a scenario drives: a child JVM the bench started ({@link ChildServer}), one in this
 * process (smoke tests), or one already running ({@code --target}).
 */
public interface ServerUnderTest extends AutoCloseable {
    InetSocketAddress address();

    /** The process to sample, or null when it cannot be sampled. */
    ProcessSampler sampler();

    /** The server's process id, or -1 when it cannot be sampled. */
    default long pid() {
        return sampler() == null ? -1 : sampler().pid();
    }

    /** Heap used right after a full GC, in bytes; -1 when unknown. */
    long heapAfterGc();

    /** How it was started (command, JDK, flags): recorded in the result. */
    Map<String, Object> describe();

    @Override
    void close();

    /** An already running server at {@code host:port} ({@code --target}); sampled when its pid is given. */
    static ServerUnderTest remote(InetSocketAddress address, long pid) {
        ProcessSampler sampler = pid > 0 ? new ProcessSampler(pid) : null;
        return new ServerUnderTest() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public ProcessSampler sampler() {
                return sampler;
            }

            @Override
            public long heapAfterGc() {
                return pid > 0 ? Jcmd.heapAfterGc(pid) : -1;
            }

            @Override
            public Map<String, Object> describe() {
                return Map.of("mode", "target", "address", address.toString(), "pid", pid);
            }

            @Override
            public void close() {
            }
        };
    }
}
