package dev.halley.core;

/** The naming rule for channels: {@code [A-Za-z0-9_\-.:@/]{1,255}}. */
public final class ChannelName {
    /** Longest channel name accepted. */
    public static final int MAX_LENGTH = 255;

    private ChannelName() {
    }

    /** Whether {@code name} is a valid concrete channel name. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isAllowed(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Returns {@code name} if valid, else throws {@link ReplyError#BAD_CHANNEL}. */
    public static String check(String name) {
        if (!isValid(name)) {
            throw new HalleyException(ReplyError.BAD_CHANNEL, describe(name));
        }
        return name;
    }

    static String describe(String name) {
        if (name == null || name.isEmpty()) {
            return "A channel name is required.";
        }
        if (name.length() > MAX_LENGTH) {
            return "A channel name is at most " + MAX_LENGTH + " characters.";
        }
        return "A channel name may hold only letters, digits and _ - . : @ /.";
    }

    private static boolean isAllowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '-' || c == '.' || c == ':' || c == '@' || c == '/';
    }
}
