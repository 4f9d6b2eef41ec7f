package dev.halley.server.protocol.sockjs;

/**
 * What a SockJS service does with one session: the application side of the socket. Every call
 * comes on the session's event loop, one at a time and never under a lock, in the order
 * {@link #onOpen}, {@link #onMessage}s, {@link #onClose} (the last only after the first).
 */
interface SessionHandler {

    /** The client has the open frame. The handler may {@linkplain SockJsSession#close close} at once. */
    default void onOpen(SockJsSession session) {
    }

    /** One message from the client, in the order sent. */
    void onMessage(SockJsSession session, String message);

    /** The session's outgoing queue has room again after {@link SockJsSession#hasRoom()} said it had none. */
    default void onRoom(SockJsSession session) {
    }

    /** The session ended (closed by either side, timed out, interrupted); nothing more can be sent. */
    default void onClose(SockJsSession session) {
    }
}
