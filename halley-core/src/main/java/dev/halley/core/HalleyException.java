package dev.halley.core;

/** A request-level failure with its {@link ReplyError}; the message is a human sentence safe to send to the client. */
public class HalleyException extends RuntimeException {
    private final ReplyError error;

    public HalleyException(ReplyError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    /**
     * The request-level failure inside {@code failure} (unwrapping completion wrappers); anything
     * that is not a {@code HalleyException} means the broker failed: {@link ReplyError#UNAVAILABLE}.
     */
    public static HalleyException of(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof HalleyException h ? h : new HalleyException(ReplyError.UNAVAILABLE, "The broker could not be reached.");
    }

    public ReplyError error() {
        return error;
    }
}
