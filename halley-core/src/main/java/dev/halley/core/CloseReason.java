package dev.halley.core;

/**
 * Why a connection or stream ended. The wire code appears in the {@code reconnect} notice of
 * streams and as the WebSocket close reason.
 */
public enum CloseReason {
    /** The client went away or the exchange ended normally. */
    NORMAL("normal", 1000),
    /** The stream spent its byte budget; the client re-opens it at once with its cursor. */
    BUDGET("budget", 1000),
    /** The server is shutting down; the client reconnects (to another node) and resumes. */
    SHUTDOWN("shutdown", 1001),
    /** The client did not keep up: over its outbound bound or unwritable too long. It may resume. */
    SLOW("slow", 1008),
    /** The client broke the protocol (bad frames, repeated abuse). */
    PROTOCOL_ERROR("protocol_error", 1002),
    /** A WebSocket message over the size limit. */
    TOO_LARGE("too_large", 1009),
    /** A WebSocket text message that is not valid UTF-8 or JSON too deep. */
    BAD_DATA("bad_data", 1007),
    /** A WebSocket binary message on a connection that speaks JSON text only. */
    UNSUPPORTED_DATA("unsupported_data", 1003),
    /** The client kept going over a rate limit after being refused (policy violation). */
    TOO_MANY("too_many", 1008),
    /** No pong (or no data) within the heartbeat deadline. */
    HEARTBEAT_TIMEOUT("heartbeat_timeout", 1001),
    /** An unexpected error in this connection's handler; only this connection is closed. */
    INTERNAL("internal", 1011);

    private final String code;
    private final int webSocketStatus;

    CloseReason(String code, int webSocketStatus) {
        this.code = code;
        this.webSocketStatus = webSocketStatus;
    }

    public String code() {
        return code;
    }

    /** The WebSocket close status code (RFC 6455 §7.4.1) that carries this reason. */
    public int webSocketStatus() {
        return webSocketStatus;
    }
}
