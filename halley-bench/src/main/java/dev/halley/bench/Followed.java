package dev.halley.bench;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The channels one client follows (one, or a chat client's rooms) and a {@link Seen} for each.
 * Lookups are a linear scan: a client follows a handful of channels.
 */
final class Followed {
    private final List<String> channels;
    private final Seen[] seen;

    Followed(List<String> channels) {
        this.channels = List.copyOf(channels);
        this.seen = new Seen[channels.size()];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = new Seen();
        }
    }

    List<String> channels() {
        return channels;
    }

    /**
     * What was seen of {@code channel}; with a single channel followed, also when the wire did not
     * name it ({@code null}). Null when the channel is not followed.
     */
    Seen of(String channel) {
        if (seen.length == 1 && (channel == null || channel.equals(channels.get(0)))) {
            return seen[0];
        }
        for (int i = 0; i < seen.length; i++) {
            if (channels.get(i).equals(channel)) {
                return seen[i];
            }
        }
        return null;
    }

    /** The lowest highest number over the channels: every channel has been seen up to here. */
    long lowestHighest() {
        long min = Long.MAX_VALUE;
        for (Seen s : seen) {
            min = Math.min(min, s.highest());
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** Messages published on the followed channels ({@code published} per channel) not seen here. */
    long unseen(ToLongFunction<String> published) {
        long n = 0;
        for (int i = 0; i < seen.length; i++) {
            n += Math.max(0, published.applyAsLong(channels.get(i)) - seen[i].distinct());
        }
        return n;
    }

    /** Messages seen here, over all followed channels. */
    long distinct() {
        long n = 0;
        for (Seen s : seen) {
            n += s.distinct();
        }
        return n;
    }
}
