package dev.halley.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a client stands in every channel it follows: one {@link Position} per concrete channel,
 * plus the time from which wildcard subscriptions are complete (channels first met after a
 * resume replay from that time). Opaque on the wire: URL- and header-safe base64 of
 * {@code 1|time|channel~epoch~offset|…}. Immutable. The encoding of a cursor shared by many
 * clients ({@link #after}) is computed once, on first use, and kept; a client's own cursor keeps
 * none (an open stream holds its cursor while idle, and the text would double what it holds).
 */
public final class Cursor {
    /** Longest encoded cursor accepted. */
    public static final int MAX_ENCODED = 8192;
    private static final Message.Slot<Cursor> AFTER = new Message.Slot<>();

    private final Map<String, Position> positions;
    private final long time;
    /** Shared by many clients: its encoding is kept. */
    private final boolean shared;
    /** {@link #encode()}'s result when shared; a benign race may compute it twice, never differently. */
    private String encoded;

    /**
     * @param positions per concrete channel, insertion-ordered
     * @param time epoch millis; wildcard subscriptions hold every message published since then
     */
    public Cursor(Map<String, Position> positions, long time) {
        this(positions, time, false);
    }

    private Cursor(Map<String, Position> positions, long time, boolean shared) {
        // One channel is the common cursor, and streams keep theirs while idle: an immutable
        // one-entry map is 24 bytes, an unmodifiable LinkedHashMap copy about 150.
        this.positions = positions.size() <= 1 ? Map.copyOf(positions) : Collections.unmodifiableMap(new LinkedHashMap<>(positions));
        this.time = time;
        this.shared = shared;
    }

    /**
     * The resume point right after {@code m} for a client that follows {@code m}'s channel alone
     * (one concrete subscription): the same for every such client, so it is built and encoded
     * once per message, not once per subscriber. Its time is the message's: earlier than a
     * client's own clock, so a wildcard added on resume replays more, never less.
     */
    public static Cursor after(Message m) {
        return m.encoding(AFTER, msg -> new Cursor(Map.of(msg.channel(), msg.position()), msg.time(), true));
    }

    public Map<String, Position> positions() {
        return positions;
    }

    public long time() {
        return time;
    }

    /** This cursor moved past {@code m}: what an SSE event id or a per-message resume point needs. */
    public Cursor advance(Message m) {
        if (positions.isEmpty() || positions.size() == 1 && positions.containsKey(m.channel())) {
            return new Cursor(Map.of(m.channel(), m.position()), time);
        }
        Map<String, Position> next = new LinkedHashMap<>(positions);
        next.put(m.channel(), m.position());
        return new Cursor(next, time);
    }

    public String encode() {
        String e = encoded;
        if (e == null) {
            StringBuilder sb = new StringBuilder(32 + positions.size() * 24).append("1|").append(time);
            positions.forEach((channel, p) ->
                    sb.append('|').append(channel).append('~').append(p.epoch()).append('~').append(p.offset()));
            e = Base64.getUrlEncoder().withoutPadding().encodeToString(sb.toString().getBytes(StandardCharsets.US_ASCII));
            if (shared) {
                encoded = e;
            }
        }
        return e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cursor c && time == c.time && positions.equals(c.positions);
    }

    @Override
    public int hashCode() {
        return 31 * positions.hashCode() + Long.hashCode(time);
    }

    @Override
    public String toString() {
        return "Cursor[positions=" + positions + ", time=" + time + "]";
    }

    /** Reads an encoded cursor; throws {@link ReplyError#BAD_CURSOR} when it is not one of ours. */
    public static Cursor decode(String encoded) {
        if (encoded == null || encoded.isEmpty() || encoded.length() > MAX_ENCODED) {
            throw bad();
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw bad();
        }
        String[] parts = text.split("\\|", -1);
        if (parts.length < 2 || !parts[0].equals("1")) {
            throw bad();
        }
        Map<String, Position> positions = new LinkedHashMap<>();
        try {
            long time = Long.parseLong(parts[1]);
            for (int i = 2; i < parts.length; i++) {
                String[] f = parts[i].split("~", -1);
                if (f.length != 3 || !ChannelName.isValid(f[0]) || !Epochs.isValid(f[1])) {
                    throw bad();
                }
                long offset = Long.parseLong(f[2]);
                if (offset < 0) {
                    throw bad();
                }
                positions.put(f[0], new Position(f[1], offset));
            }
            return new Cursor(positions, time);
        } catch (NumberFormatException e) {
            throw bad();
        }
    }

    private static HalleyException bad() {
        return new HalleyException(ReplyError.BAD_CURSOR, "The cursor is not one this server issued.");
    }
}
