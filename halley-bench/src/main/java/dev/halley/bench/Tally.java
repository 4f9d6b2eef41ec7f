package dev.halley.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * The check every receiving client of a scenario makes on each message, summed over the
 * clients: a repeat is a duplicate, a late arrival is counted as reordered, numbers jumped over
 * count as lost (in {@link Stats#lost}, live) until they arrive; every first arrival records its
 * latency. Safe to call from every event loop.
 */
final class Tally {
    final LongAdder established = new LongAdder();
    final LongAdder empty = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder reordered = new LongAdder();
    /** Clients whose connection closed while the run still needed it. */
    final LongAdder dropped = new LongAdder();
    private final Stats stats;

    Tally(Stats stats) {
        this.stats = stats;
    }

    /** Checks message {@code number} (offset or sequence) against what {@code seen} holds; null seen = not followed. */
    void message(Seen seen, long number, long stampNanos) {
        if (seen == null) {
            duplicates.increment();
            return;
        }
        long missingBefore = seen.missing();
        switch (seen.accept(number)) {
            case REPEAT -> {
                duplicates.increment();
                return;
            }
            case LATE -> reordered.increment();
            case NEW -> {
            }
        }
        long newlyMissing = seen.missing() - missingBefore;
        if (newlyMissing != 0) {
            stats.lost.add(newlyMissing);
        }
        stats.delivered(stampNanos);
    }

    /** A client's connection closed while the run still needed it: an error, and one client fewer connected. */
    void dropped(boolean wasConnected) {
        dropped.increment();
        stats.errors.increment();
        if (wasConnected) {
            stats.connected.decrement();
        }
    }

    /** One answer (a poll, a {@code /meta/connect}) carried {@code messages} messages: counted as a cycle or as empty. */
    void answered(int messages) {
        if (messages > 0) {
            stats.ops.increment();
        } else {
            empty.increment();
        }
    }
}
