package dev.halley.core;

/**
 * What a subscription names: one channel, or all channels one segment ({@code /chat/*}) or any
 * depth ({@code /chat/**}) below a prefix, as in Bayeux.
 *
 * @param text the pattern as the client wrote it
 * @param kind exact or wildcard
 * @param base for {@link Kind#EXACT} the channel; for wildcards the prefix ending in {@code /}
 */
public record ChannelPattern(String text, Kind kind, String base) {

    /** How a pattern matches. */
    public enum Kind { EXACT, ONE_SEGMENT, ANY_DEPTH }

    /** Parses and validates a channel name or wildcard pattern; throws {@link ReplyError#BAD_CHANNEL}. */
    public static ChannelPattern parse(String text) {
        if (text != null && text.endsWith("/**")) {
            String base = text.substring(0, text.length() - 2);
            checkBase(text, base);
            return new ChannelPattern(text, Kind.ANY_DEPTH, base);
        }
        if (text != null && text.endsWith("/*")) {
            String base = text.substring(0, text.length() - 1);
            checkBase(text, base);
            return new ChannelPattern(text, Kind.ONE_SEGMENT, base);
        }
        return new ChannelPattern(ChannelName.check(text), Kind.EXACT, text);
    }

    private static void checkBase(String text, String base) {
        if (text.length() > ChannelName.MAX_LENGTH || !(base.equals("/") || ChannelName.isValid(base))) {
            throw new HalleyException(ReplyError.BAD_CHANNEL,
                    "A wildcard pattern is a channel prefix followed by /* or /**.");
        }
    }

    public boolean isWildcard() {
        return kind != Kind.EXACT;
    }

    /** Whether the concrete channel {@code channel} falls under this pattern. */
    public boolean matches(String channel) {
        return switch (kind) {
            case EXACT -> base.equals(channel);
            case ANY_DEPTH -> channel.length() > base.length() && channel.startsWith(base);
            case ONE_SEGMENT -> channel.length() > base.length() && channel.startsWith(base)
                    && channel.indexOf('/', base.length()) < 0;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}
