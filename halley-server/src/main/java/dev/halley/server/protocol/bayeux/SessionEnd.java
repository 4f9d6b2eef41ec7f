package dev.halley.server.protocol.bayeux;

/** Why a Bayeux session ended; the code labels {@code halley_sessions_ended_total{protocol="bayeux"}}. */
enum SessionEnd {
    /** The client sent {@code /meta/disconnect}. */
    DISCONNECTED("disconnected"),
    /** No {@code /meta/connect} within {@code bayeux-max-interval} of the last one's end. */
    EXPIRED("expired"),
    /** More queued for it than {@code outbound-max-messages} / {@code -bytes} allow (also counted as a {@code slow} close). */
    SLOW("slow");

    private final String code;

    SessionEnd(String code) {
        this.code = code;
    }

    String code() {
        return code;
    }
}
