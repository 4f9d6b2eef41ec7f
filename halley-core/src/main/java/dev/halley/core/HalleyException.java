package dev.halley.core;

/** A request-level failure with its {@link ReplyError}; the message is a human sentence safe to send to the client. */
public class HalleyException extends RuntimeException {
    private final ReplyError error;

    public HalleyException(ReplyError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ReplyError error() {
        return error;
    }
}
