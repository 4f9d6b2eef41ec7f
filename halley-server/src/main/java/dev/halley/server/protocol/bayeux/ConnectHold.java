package dev.halley.server.protocol.bayeux;

/**
 * A {@code /meta/connect} held open by a door (an HTTP exchange, a WebSocket connection) until
 * there is something to say. A session keeps at most one; whoever takes it from the session
 * ({@link BayeuxSession#takeHold}, or a newer hold replacing it) releases it, exactly once.
 */
interface ConnectHold {
    /** How a held (or never held) {@code /meta/connect} ends, which decides its answer. */
    enum End {
        /** Not held at all: the client asked for an immediate answer, or something was waiting. */
        NOW,
        /** Messages arrived for the session. */
        MESSAGES,
        /** The hold's {@code timeout} passed with nothing to deliver. */
        TIMEOUT,
        /** A newer {@code /meta/connect} of the same session took its place. */
        REPLACED,
        /** The session sent {@code /meta/disconnect}: the answer advises {@code reconnect: none}. */
        DISCONNECTED,
        /** The session ended (too slow): the answer is {@code 402::session_unknown}. */
        ENDED,
        /** The server is shutting down: the answer advises to handshake again. */
        SHUTDOWN
    }

    /** Ends the hold for {@code why}; the door answers on its own event loop. Any thread. */
    void release(End why);
}
