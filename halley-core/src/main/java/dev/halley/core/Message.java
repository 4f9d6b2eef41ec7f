package dev.halley.core;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One published message, immutable once made: its channel, its place in the channel
 * ({@link #epoch()}, {@link #offset()}), the broker's time and the {@code data} as JSON bytes.
 *
 * <p>The data is validated JSON, parsed once at the edge and never re-serialised. Doors that
 * frame the message for a wire shape cache their encoding on the message with
 * {@link #encoding(Slot, Function)}, so a publish to many subscribers of one shape is encoded
 * once. Cached values must be immutable (heap byte arrays, strings): a message is shared across
 * threads and is garbage-collected, never released.
 */
public final class Message implements Delivery {
    private static final AtomicInteger SLOTS = new AtomicInteger();
    private static final int MAX_SLOTS = 16;

    private final String channel;
    private final String epoch;
    private final long offset;
    private final long time;
    private final byte[] data;
    private volatile byte[] json;
    private volatile Object[] encodings;

    public Message(String channel, String epoch, long offset, long time, byte[] data) {
        this.channel = channel;
        this.epoch = epoch;
        this.offset = offset;
        this.time = time;
        this.data = data;
    }

    public String channel() {
        return channel;
    }

    public String epoch() {
        return epoch;
    }

    public long offset() {
        return offset;
    }

    /** The time the broker accepted it, in epoch milliseconds. */
    public long time() {
        return time;
    }

    /** The {@code data} JSON value as UTF-8 bytes. Do not modify. */
    public byte[] data() {
        return data;
    }

    /** Size used for outbound-buffer accounting. */
    public int weight() {
        return data.length + channel.length() + 64;
    }

    public Position position() {
        return new Position(epoch, offset);
    }

    /**
     * The message as delivered on the wire, UTF-8:
     * {@code {"channel":"news","offset":18,"data":…,"time":…}}. Built once, then shared.
     * Channel names need no JSON escaping (see {@link ChannelName}).
     */
    public byte[] json() {
        byte[] j = json;
        if (j == null) {
            byte[] head = ("{\"channel\":\"" + channel + "\",\"offset\":" + offset + ",\"data\":")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] tail = (",\"time\":" + time + "}").getBytes(StandardCharsets.US_ASCII);
            j = new byte[head.length + data.length + tail.length];
            System.arraycopy(head, 0, j, 0, head.length);
            System.arraycopy(data, 0, j, head.length, data.length);
            System.arraycopy(tail, 0, j, head.length + data.length, tail.length);
            json = j;
        }
        return j;
    }

    /**
     * The message encoded for one wire shape, computed at most a few times (a benign race) and
     * cached on the message.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoding(Slot<T> slot, Function<Message, T> encoder) {
        Object[] e = encodings;
        if (e != null) {
            Object v = e[slot.index];
            if (v != null) {
                return (T) v;
            }
        }
        T value = encoder.apply(this);
        synchronized (this) {
            Object[] copy = encodings == null ? new Object[MAX_SLOTS] : encodings.clone();
            copy[slot.index] = value;
            encodings = copy;
        }
        return value;
    }

    /** A cache slot for one wire shape's encoding; create one per shape, once, at class init. */
    public static final class Slot<T> {
        final int index;

        public Slot() {
            this.index = SLOTS.getAndIncrement();
            if (index >= MAX_SLOTS) {
                throw new IllegalStateException("too many encoding slots");
            }
        }
    }

    @Override
    public String toString() {
        return "Message[" + channel + "@" + epoch + ":" + offset + ", " + data.length + " bytes]";
    }
}
