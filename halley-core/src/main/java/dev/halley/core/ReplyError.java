package dev.halley.core;

/**
 * Why one request failed. Each value has its wire code (the {@code "error"} field of a JSON
 * error body or WebSocket reply) and the HTTP status used where the request came over HTTP.
 */
public enum ReplyError {
    /** The request is malformed in a way not covered by a more precise code. */
    BAD_REQUEST("bad_request", 400),
    /** The body or frame is not valid JSON, is nested too deep, or has the wrong shape. */
    BAD_JSON("bad_json", 400),
    /** A channel name or pattern breaks the naming rules. */
    BAD_CHANNEL("bad_channel", 400),
    /** A {@code since}, {@code epoch} or {@code cursor} value cannot be read. */
    BAD_CURSOR("bad_cursor", 400),
    /** A JSONP callback name is missing or fails the strict pattern. */
    BAD_CALLBACK("bad_callback", 400),
    /** No or a wrong API key / token. */
    UNAUTHORIZED("unauthorized", 401),
    /** The channel's policy does not allow this client the operation. */
    FORBIDDEN("forbidden", 403),
    /** No such path or resource. */
    NOT_FOUND("not_found", 404),
    /** The path exists but not for this method. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    /** The body, frame or message is over its limit. */
    TOO_LARGE("too_large", 413),
    /** The client is over a rate or count limit (publish rate, subscriptions per connection). */
    TOO_MANY("too_many", 429),
    /** The request line is over its limit. */
    URI_TOO_LONG("uri_too_long", 414),
    /** The header block is over its limit. */
    HEADERS_TOO_LARGE("headers_too_large", 431),
    /** The server is shutting down or its broker is unreachable. */
    UNAVAILABLE("unavailable", 503),
    /** A bug on our side; the connection that met it is closed, nobody else is touched. */
    INTERNAL("internal", 500);

    private final String code;
    private final int httpStatus;

    ReplyError(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The wire code, e.g. {@code "bad_json"}. */
    public String code() {
        return code;
    }

    /** The HTTP status that goes with this error. */
    public int httpStatus() {
        return httpStatus;
    }
}
