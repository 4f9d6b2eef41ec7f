package dev.halley.bench.peer;

import java.net.InetSocketAddress;

/**
 * A running peer server: another Comet server the bench drives side by side with Halley.
 *
 * <p>Every peer serves {@code POST /publish} ({@code {"channel":"/x","data":…}}, the same injection
 * path as Halley's {@code /api/publish}) and {@code GET /healthz}. {@link #close()} stops it and
 * waits (bounded) for its threads to end; it is idempotent.
 */
public interface Peer extends AutoCloseable {

    /** The address the peer listens on, with the actual port when started on port 0. */
    InetSocketAddress address();

    @Override
    void close();
}
