package dev.halley.broker.redis;

import dev.halley.core.BrokerConfig;
import dev.halley.core.ChannelPattern;
import dev.halley.core.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How one Halley namespace ({@code broker-prefix} P) is laid out in Redis, and the entry format
 * shared by history and pub/sub.
 *
 * <ul>
 *   <li>{@code P:{C}:m} — channel C's state (hash); {@code P:{C}:h} — its history (list). The
 *       hash tag {@code {C}} keeps a channel's keys in one Cluster slot, and spreads channels
 *       over the slots.</li>
 *   <li>{@code P:C} — the pub/sub channel its live messages go to.</li>
 *   <li>{@code P_publish}, {@code P_history} — the functions of library {@code halley_P}.</li>
 *   <li>Entry: {@code <epoch>:<offset>:<time>:<data>} (data is the JSON value, last, as is).</li>
 * </ul>
 */
final class RedisNames {
    private final String prefix;
    private final byte[] pubSubPrefix;

    RedisNames(String prefix) {
        this.prefix = prefix;
        this.pubSubPrefix = bytes(prefix + ":");
    }

    String prefix() {
        return prefix;
    }

    /** The two keys of a channel: state, then history. */
    byte[][] keys(String channel) {
        return new byte[][] {bytes(prefix + ":{" + channel + "}:m"), bytes(prefix + ":{" + channel + "}:h")};
    }

    byte[] pubSub(String channel) {
        return bytes(prefix + ":" + channel);
    }

    /** The pub/sub glob of a wildcard: every channel under its base (the hub filters one-segment patterns). */
    byte[] glob(ChannelPattern pattern) {
        return bytes(prefix + ":" + pattern.base() + "*");
    }

    /** The channel a pub/sub channel name stands for, or null if it is not of this namespace. */
    String channelOfPubSub(byte[] name) {
        if (name.length <= pubSubPrefix.length || !Arrays.equals(name, 0, pubSubPrefix.length, pubSubPrefix, 0, pubSubPrefix.length)) {
            return null;
        }
        return new String(name, pubSubPrefix.length, name.length - pubSubPrefix.length, StandardCharsets.US_ASCII);
    }

    /** SCAN pattern for the state keys of channels {@code pattern} may cover. Channel names hold no glob characters. */
    byte[] scanMatch(ChannelPattern pattern) {
        return bytes(prefix + ":{" + pattern.base() + (pattern.isWildcard() ? "*" : "") + "}:m");
    }

    /** The channel of a state key found by SCAN. */
    String channelOfStateKey(byte[] key) {
        String k = new String(key, StandardCharsets.US_ASCII);
        return k.substring(prefix.length() + 2, k.length() - 3);
    }

    String publishFunction() {
        return prefix + "_publish";
    }

    String historyFunction() {
        return prefix + "_history";
    }

    String library() {
        return "halley_" + prefix;
    }

    /** The function library for this namespace, with the history bounds built in. */
    String libraryCode(BrokerConfig config) {
        try (InputStream in = RedisNames.class.getResourceAsStream("library.lua")) {
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return template.replace("{{NAME}}", prefix)
                    .replace("{{MAX_MESSAGES}}", Integer.toString(config.history().maxMessages()))
                    .replace("{{MAX_AGE_MS}}", Long.toString(config.history().maxAge().toMillis()))
                    .replace("{{IDLE_MS}}", Long.toString(Math.max(1, config.history().idleExpiry().toMillis())))
                    .replace("{{MAX_DATA}}", Integer.toString(config.maxMessageBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads an entry of {@code channel}; throws {@link IllegalArgumentException} if it is not one. */
    static Message entry(String channel, byte[] entry) {
        int a = indexOf(entry, 0);
        int b = indexOf(entry, a + 1);
        int c = indexOf(entry, b + 1);
        String epoch = new String(entry, 0, a, StandardCharsets.US_ASCII);
        long offset = Long.parseLong(new String(entry, a + 1, b - a - 1, StandardCharsets.US_ASCII));
        long time = Long.parseLong(new String(entry, b + 1, c - b - 1, StandardCharsets.US_ASCII));
        return new Message(channel, epoch, offset, time, Arrays.copyOfRange(entry, c + 1, entry.length));
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == ':') {
                return i;
            }
        }
        throw new IllegalArgumentException("not a Halley entry");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
