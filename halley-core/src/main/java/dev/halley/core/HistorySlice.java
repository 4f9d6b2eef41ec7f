package dev.halley.core;

import java.util.List;

/**
 * What a broker's history holds of one channel after a point.
 *
 * @param channel the channel
 * @param epoch the channel's current epoch
 * @param latestOffset the offset of the newest message ever published in this epoch (0 if none)
 * @param firstOffset the oldest offset history still holds ({@code latestOffset + 1} when empty)
 * @param messages the held messages with offset greater than the requested point, oldest first
 */
public record HistorySlice(String channel, String epoch, long latestOffset, long firstOffset, List<Message> messages) {

    /**
     * Whether a client that last saw {@code since} (an offset, with its epoch if known) can be
     * brought up to date from this slice with nothing missing: same epoch, history reaching back
     * to the message right after it, and not ahead of the channel.
     */
    public boolean reaches(long since, String sinceEpoch) {
        if (sinceEpoch != null && !sinceEpoch.equals(epoch)) {
            return false;
        }
        return since <= latestOffset && since >= firstOffset - 1;
    }

    /** This slice with only the messages published at or after {@code time} (what {@link Broker#historySince} returns). */
    public HistorySlice since(long time) {
        return new HistorySlice(channel, epoch, latestOffset, firstOffset, messages.stream().filter(m -> m.time() >= time).toList());
    }

    /** The current position of the channel. */
    public Position top() {
        return new Position(epoch, latestOffset);
    }
}
