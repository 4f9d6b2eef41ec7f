package dev.halley.server.transport.stream;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import io.netty.buffer.ByteBuf;

/**
 * The wire shape of one streaming transport: how a {@link StreamingResponse} turns the stream's
 * parts into bytes. One implementation per transport package; an implementation is immutable
 * (it may hold per-request values such as a validated callback name) and is called only on the
 * connection's event loop.
 *
 * <p>Every method appends to {@code out}, which it does not own: it writes, never releases.
 * Messages should be encoded once per shape and cached on the message with
 * {@link Message#encoding(Message.Slot, java.util.function.Function)}; only per-client parts
 * (a callback name, an SSE {@code id:}) are written per client.
 *
 * <p>The order on the wire is: {@link #preamble}, {@link #opening}, then for each batch taken
 * from the feed its {@link #gap}s and {@link #message}s in feed order followed by one
 * {@link #cursor}; {@link #heartbeat}s in silences; at the end {@link #reconnect} and
 * {@link #trailer}, then the terminating chunk.
 */
public interface StreamFraming {

    /** The {@code Content-Type} of the response. */
    String contentType();

    /** Bytes written once after the headers (padding that makes browsers render progressively). Not counted in the budget. */
    void preamble(ByteBuf out);

    /** The first frame after the preamble, carrying the cursor the stream starts from. */
    default void opening(Cursor start, ByteBuf out) {
        cursor(start, out);
    }

    /**
     * One message.
     *
     * @param after the cursor right after this message when {@link #wantsMessageCursor()}; otherwise null
     */
    void message(Message m, Cursor after, ByteBuf out);

    /** Whether {@link #message} needs the per-message cursor (it costs a copy of the positions per message). */
    default boolean wantsMessageCursor() {
        return false;
    }

    /** A notice that history did not reach back in a channel; comes before that channel's replayed messages. */
    void gap(Gap gap, ByteBuf out);

    /** The resume point after a batch; may write nothing when messages carry it. */
    void cursor(Cursor cursor, ByteBuf out);

    /** A keep-alive after a silence of {@code heartbeat}. */
    void heartbeat(ByteBuf out);

    /** Why the server ends the stream, with the cursor to re-open from; may write nothing. */
    void reconnect(CloseReason reason, Cursor cursor, ByteBuf out);

    /** Bytes that close the document before the terminating chunk (e.g. {@code </body></html>}); may write nothing. */
    default void trailer(ByteBuf out) {
    }
}
