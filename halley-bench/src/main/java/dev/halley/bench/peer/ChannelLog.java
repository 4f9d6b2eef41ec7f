package dev.halley.bench.peer;

import java.util.ArrayList;
import java.util.List;

/**
 * The recent messages of one channel as the GRIP origin keeps them: each numbered (1, 2, …) in the
 * order the origin accepted it, the last {@code capacity} kept for clients that poll with a
 * {@code since} cursor. Owned by the origin's event loop; not thread-safe.
 */
final class ChannelLog {
    private final String[] lines;
    private long lastId;
    /** Whether an SSE client ever subscribed, so that publishes also go out in SSE framing. */
    private boolean sse;

    ChannelLog(int capacity) {
        this.lines = new String[capacity];
    }

    /** Keeps {@code line} as the next message; returns its id. */
    long append(long id, String line) {
        if (id != lastId + 1) {
            throw new IllegalArgumentException("ids are consecutive: expected " + (lastId + 1) + ", got " + id);
        }
        lastId = id;
        lines[(int) (id % lines.length)] = line;
        return id;
    }

    /** The id the next message gets. */
    long nextId() {
        return lastId + 1;
    }

    /** The id of the last message (0 before any). */
    long lastId() {
        return lastId;
    }

    /** The oldest id still kept (1 until the log wraps). */
    long oldestKept() {
        return Math.max(1, lastId - lines.length + 1);
    }

    /** Every kept message after {@code since}, oldest first (empty when the client is up to date). */
    List<String> after(long since) {
        List<String> out = new ArrayList<>();
        for (long id = Math.max(since + 1, oldestKept()); id <= lastId; id++) {
            out.add(lines[(int) (id % lines.length)]);
        }
        return out;
    }

    void sseSubscribed() {
        sse = true;
    }

    boolean hasSse() {
        return sse;
    }

    @Override
    public String toString() {
        return "ChannelLog[last=" + lastId + " oldestKept=" + oldestKept() + " sse=" + sse + "]";
    }
}
