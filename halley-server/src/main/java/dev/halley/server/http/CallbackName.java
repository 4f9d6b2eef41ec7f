package dev.halley.server.http;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import java.util.List;
import java.util.regex.Pattern;

/**
 * JSONP and forever-frame callback names: dotted JavaScript identifiers such as {@code cb},
 * {@code parent.cb}, {@code jQuery123_456}, at most 128 characters. Anything else ({@code alert(1)//},
 * {@code <script>}, brackets, two values) is refused and never echoed.
 */
public final class CallbackName {
    public static final int MAX_LENGTH = 128;
    /** The query parameter that names the callback. */
    public static final String PARAM = "callback";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    private CallbackName() {
    }

    public static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
    }

    /**
     * The {@code callback=} of a request, or null when there is none; throws
     * {@link ReplyError#BAD_CALLBACK} when it is empty, invalid or given more than once (which
     * value a proxy or cache would pick is anyone's guess, so neither is used).
     */
    public static String optional(HttpExchange ex) {
        return optional(ex, PARAM);
    }

    /** {@link #optional(HttpExchange)} for a protocol that names the parameter otherwise (Bayeux: {@code jsonp}). */
    public static String optional(HttpExchange ex, String param) {
        List<String> values = ex.params(param);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new HalleyException(ReplyError.BAD_CALLBACK, "Give " + param + "= once.");
        }
        return check(values.get(0));
    }

    /** Like {@link #optional} but a missing callback is refused too. */
    public static String required(HttpExchange ex) {
        String name = optional(ex);
        if (name == null) {
            throw new HalleyException(ReplyError.BAD_CALLBACK, "A callback name is required.");
        }
        return name;
    }

    /** Returns the name if valid; otherwise throws {@link ReplyError#BAD_CALLBACK}. */
    public static String check(String name) {
        if (name == null || name.isEmpty()) {
            throw new HalleyException(ReplyError.BAD_CALLBACK, "A callback name is required.");
        }
        if (!isValid(name)) {
            throw new HalleyException(ReplyError.BAD_CALLBACK,
                    "The callback name must be a dotted JavaScript identifier of at most " + MAX_LENGTH + " characters.");
        }
        return name;
    }
}
