package dev.halley.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The history a new subscription needs, read from the broker: for one channel, what follows the
 * client's position (or just the top position for a live subscription); for a wildcard resumed
 * from a cursor, the same for every channel the cursor knows, and what was published since the
 * cursor's time for channels it does not. Each result says whether history reaches back.
 */
final class HistoryRead {
    private HistoryRead() {
    }

    /** A slice with what the client asked for, and whether it reaches back. */
    record Result(HistorySlice slice, boolean recovered) {
    }

    /** Reads the history a subscription to {@code p} from {@code resume} needs, one result per channel. */
    static CompletionStage<List<Result>> of(Broker broker, ChannelPattern p, Resume resume) {
        if (!p.isWildcard()) {
            String channel = p.base();
            Position from = null;
            if (resume instanceof Resume.Since s) {
                from = new Position(s.epoch(), s.offset());
            } else if (resume instanceof Resume.From f) {
                from = f.cursor().positions().get(channel);
            }
            if (from == null) {
                return broker.history(channel, Long.MAX_VALUE, 0)
                        .thenApply(slice -> List.of(new Result(slice, true)));
            }
            return replayAfter(broker, channel, from).thenApply(List::of);
        }
        if (!(resume instanceof Resume.From f)) {
            return CompletableFuture.completedFuture(List.of());
        }
        Cursor cursor = f.cursor();
        return broker.channels(p).thenCompose(channels -> {
            List<CompletableFuture<Result>> parts = new ArrayList<>();
            for (String channel : channels) {
                Position from = cursor.positions().get(channel);
                parts.add((from != null ? replayAfter(broker, channel, from) : replaySince(broker, channel, cursor.time()))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
        });
    }

    private static CompletionStage<Result> replayAfter(Broker broker, String channel, Position from) {
        return broker.history(channel, from.offset(), Integer.MAX_VALUE).thenCompose(slice -> {
            if (slice.reaches(from.offset(), from.epoch())) {
                return CompletableFuture.completedFuture(new Result(slice, true));
            }
            boolean sameEpochBehind = (from.epoch() == null || from.epoch().equals(slice.epoch()))
                    && from.offset() <= slice.latestOffset();
            if (sameEpochBehind) {
                // History was trimmed past the client: the slice already holds all that is left.
                return CompletableFuture.completedFuture(new Result(slice, false));
            }
            // Another epoch (or offsets ahead of the channel): replay all history of this epoch.
            return broker.history(channel, 0, Integer.MAX_VALUE).thenApply(all -> new Result(all, false));
        });
    }

    /**
     * A channel first met by a wildcard resume: what was published since the cursor's time. It is
     * whole when history never dropped anything, or still holds a message older than that time;
     * an empty history of a channel that had messages cannot tell, so it reports a gap.
     */
    private static CompletionStage<Result> replaySince(Broker broker, String channel, long time) {
        return broker.historySince(channel, time).thenApply(slice -> {
            List<Message> held = slice.messages();
            boolean whole;
            if (slice.firstOffset() == 1) {
                whole = true;
            } else if (slice.firstOffset() > slice.latestOffset()) {
                whole = false;
            } else {
                whole = held.isEmpty() || held.get(0).offset() > slice.firstOffset();
            }
            return new Result(slice, whole);
        });
    }
}
