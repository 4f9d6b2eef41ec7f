package dev.halley.bench;

import java.util.BitSet;

/**
 * What one client has seen of one channel: the numbers of its messages, each to be seen once.
 * The numbers are Halley's offsets (1, 2, … on a fresh channel), or the publisher's own sequence
 * for a peer whose messages carry none (Bayeux). An in-order stream costs two longs; the numbers
 * a stream jumps over are remembered (as holes) only while some are missing, so that a late one
 * can be told from a repeat. Owned by one event loop; {@link #distinct()} and {@link #highest()}
 * may be read from elsewhere once the stream is quiet.
 */
final class Seen {
    /** What one number was, relative to what came before. */
    enum Outcome {
        /** The next number, or a jump ahead (the numbers in between are now missing). */
        NEW,
        /** Below the highest seen, and missing until now: it arrived out of order. */
        LATE,
        /** Seen before (or not a valid number): a duplicate. */
        REPEAT
    }

    private volatile long highest;
    private volatile long distinct;
    /** Missing numbers below {@link #highest}; null while there are none. */
    private BitSet holes;

    Outcome accept(long n) {
        if (n <= 0) {
            return Outcome.REPEAT;
        }
        if (n > highest) {
            if (n > highest + 1 && n <= Integer.MAX_VALUE) {
                holes = holes == null ? new BitSet() : holes;
                holes.set((int) highest + 1, (int) n);
            }
            highest = n;
            distinct++;
            return Outcome.NEW;
        }
        if (holes == null || n > Integer.MAX_VALUE || !holes.get((int) n)) {
            return Outcome.REPEAT;
        }
        holes.clear((int) n);
        distinct++;
        if (holes.isEmpty()) {
            holes = null;
        }
        return Outcome.LATE;
    }

    /** The highest number seen (0 before any). */
    long highest() {
        return highest;
    }

    /** How many different numbers were seen. */
    long distinct() {
        return distinct;
    }

    /** Numbers below the highest that have not arrived (yet). */
    long missing() {
        return highest - distinct;
    }

    @Override
    public String toString() {
        return "Seen[highest=" + highest + " distinct=" + distinct + "]";
    }
}
