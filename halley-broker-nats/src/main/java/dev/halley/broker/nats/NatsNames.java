package dev.halley.broker.nats;

import dev.halley.core.ChannelPattern;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How one Halley namespace ({@code broker-prefix} P) is laid out in NATS.
 *
 * <ul>
 *   <li>Channel C is the JetStream stream {@code P_<hash of C>} (its description is C). The
 *       stream's sequence is the channel's offset; its limits are the history bounds.</li>
 *   <li>The stream captures exactly one subject, {@code P.m.<epoch>.<tokens of C>}: the epoch is
 *       part of the subject, so a node that publishes with an epoch the stream no longer has (it
 *       was deleted and made again) reaches no stream and learns the new one.</li>
 *   <li>The stream republishes each stored message, with its sequence, to
 *       {@code P.l.<tokens of C>}, where nodes subscribe (wildcards map to {@code *} and
 *       {@code >}).</li>
 *   <li>Tokens of C: one per {@code /}-separated segment, each {@code _} followed by the segment
 *       with {@code .} written {@code %} (subjects have no empty tokens and no dots inside one).</li>
 * </ul>
 */
final class NatsNames {
    /** Header carrying the publishing node's time (epoch millis), stored and republished with the message. */
    static final String TIME_HEADER = "Halley-Time";

    private final String prefix;
    private final String livePrefix;

    NatsNames(String prefix) {
        this.prefix = prefix;
        this.livePrefix = prefix + ".l.";
    }

    String prefix() {
        return prefix;
    }

    String stream(String channel) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(channel.getBytes(StandardCharsets.US_ASCII));
            return prefix + "_" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String stored(String epoch, String channel) {
        return prefix + ".m." + epoch + "." + tokens(channel);
    }

    String live(String channel) {
        return livePrefix + tokens(channel);
    }

    /** The live subject a node subscribes to for {@code pattern}. */
    String live(ChannelPattern pattern) {
        if (!pattern.isWildcard()) {
            return live(pattern.base());
        }
        String base = pattern.base().substring(0, pattern.base().length() - 1);
        return livePrefix + tokens(base) + (pattern.kind() == ChannelPattern.Kind.ONE_SEGMENT ? ".*" : ".>");
    }

    /** The filter that lists the streams of channels {@code pattern} may cover. */
    String storedFilter(ChannelPattern pattern) {
        if (!pattern.isWildcard()) {
            return prefix + ".m.*." + tokens(pattern.base());
        }
        String base = pattern.base().substring(0, pattern.base().length() - 1);
        return prefix + ".m.*." + tokens(base) + ".>";
    }

    /** Filter of every stream of the namespace. */
    String allStored() {
        return prefix + ".m.>";
    }

    /** The channel of a live subject, or null if it is not one of this namespace. */
    String channelOfLive(String subject) {
        return subject.startsWith(livePrefix) ? channel(subject.substring(livePrefix.length())) : null;
    }

    /** The epoch and channel of a stored subject {@code P.m.<epoch>.<tokens>}. */
    String[] epochAndChannel(String subject) {
        int start = prefix.length() + 3;
        int dot = subject.indexOf('.', start);
        return new String[] {subject.substring(start, dot), channel(subject.substring(dot + 1))};
    }

    private static String tokens(String channel) {
        StringBuilder sb = new StringBuilder(channel.length() + 8).append('_');
        for (int i = 0; i < channel.length(); i++) {
            char c = channel.charAt(i);
            if (c == '/') {
                sb.append("._");
            } else {
                sb.append(c == '.' ? '%' : c);
            }
        }
        return sb.toString();
    }

    private static String channel(String tokens) {
        StringBuilder sb = new StringBuilder(tokens.length());
        boolean tokenStart = true;
        for (int i = 0; i < tokens.length(); i++) {
            char c = tokens.charAt(i);
            if (tokenStart) {
                tokenStart = false; // the '_' every token starts with
            } else if (c == '.') {
                sb.append('/');
                tokenStart = true;
            } else {
                sb.append(c == '%' ? '.' : c);
            }
        }
        return sb.toString();
    }
}
