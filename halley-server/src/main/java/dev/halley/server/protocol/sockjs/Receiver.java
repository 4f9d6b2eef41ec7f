package dev.halley.server.protocol.sockjs;

/**
 * Where a session's frames go while it is attached: one HTTP response (a poll or a stream) or a
 * WebSocket connection. A session has at most one receiver at a time
 * ({@link SockJsSession#attach}); the calls below come from any thread, with no lock held, and a
 * receiver hops onto its own event loop to act on them.
 */
interface Receiver {

    /**
     * The session has messages for this receiver: it takes them with {@link SockJsSession#take}
     * when it can write. Signalled once until the receiver has taken the queue empty.
     */
    void ready();

    /** The session closed and let go of this receiver: it writes {@code frame} and ends. */
    void closed(Frames.Close frame);
}
