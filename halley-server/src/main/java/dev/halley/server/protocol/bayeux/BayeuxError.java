package dev.halley.server.protocol.bayeux;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;

/**
 * Why one Bayeux message was refused: the {@code "error"} of an unsuccessful reply, in the
 * Bayeux form {@code code::name} (spec §3.10, {@code code:args:message}), with the
 * {@link ReplyError} under which the refusal is counted in {@code /metrics}.
 */
enum BayeuxError {
    /** No live session with this {@code clientId} for this browser: expired, ended, from before a restart, or another browser's. */
    SESSION_UNKNOWN("402::session_unknown", ReplyError.NOT_FOUND),
    /** A channel or subscription that breaks the naming rules (or a wildcard where a channel is needed). */
    CHANNEL_INVALID("400::channel_invalid", ReplyError.BAD_CHANNEL),
    /** A message of the wrong shape: no channel, no data to publish, a field of the wrong type. */
    MESSAGE_INVALID("400::message_invalid", ReplyError.BAD_JSON),
    /** A {@code /meta/…} channel this server does not know. */
    META_UNKNOWN("400::meta_unknown", ReplyError.NOT_FOUND),
    /** None of the client's connection types is served here. */
    CONNECTION_TYPE_UNSUPPORTED("400::connection_type_unsupported", ReplyError.BAD_REQUEST),
    /** The channel policy does not let clients subscribe there. */
    SUBSCRIBE_DENIED("403::subscribe_denied", ReplyError.FORBIDDEN),
    /** The channel policy does not let clients publish there. */
    PUBLISH_DENIED("403::publish_denied", ReplyError.FORBIDDEN),
    /** A newer {@code /meta/connect} of the same session took the place of this held one. */
    DUPLICATE_CONNECT("409::duplicate_connect", ReplyError.BAD_REQUEST),
    /** Over {@code max-subscriptions} or {@code publish-rate}. */
    TOO_MANY("429::too_many", ReplyError.TOO_MANY),
    /** Over {@code bayeux-max-sessions}. */
    TOO_MANY_SESSIONS("503::too_many_sessions", ReplyError.UNAVAILABLE),
    /** The server is shutting down: handshake again (with another node). */
    SHUTTING_DOWN("503::shutting_down", ReplyError.UNAVAILABLE),
    /** The broker could not take the publish or subscription. */
    UNAVAILABLE("503::unavailable", ReplyError.UNAVAILABLE);

    private final String wire;
    private final ReplyError counted;

    BayeuxError(String wire, ReplyError counted) {
        this.wire = wire;
        this.counted = counted;
    }

    /** The {@code "error"} value, e.g. {@code 402::session_unknown}. */
    String wire() {
        return wire;
    }

    ReplyError counted() {
        return counted;
    }

    /** The Bayeux refusal for a failure of the hub (subscribe, publish). */
    static BayeuxError of(Throwable failure) {
        return switch (HalleyException.of(failure).error()) {
            case BAD_CHANNEL -> CHANNEL_INVALID;
            case FORBIDDEN -> PUBLISH_DENIED;
            case TOO_MANY -> TOO_MANY;
            case BAD_JSON, BAD_REQUEST, BAD_CURSOR -> MESSAGE_INVALID;
            default -> UNAVAILABLE;
        };
    }

    /** A refusal raised while handling one message; becomes that message's unsuccessful reply. */
    static final class Refused extends RuntimeException {
        final BayeuxError error;

        Refused(BayeuxError error) {
            super(error.wire, null, false, false);
            this.error = error;
        }
    }
}
