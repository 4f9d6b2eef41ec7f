package dev.halley.server.transport.sse;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import dev.halley.server.transport.stream.StreamFraming;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code text/event-stream} shape (HTML Living Standard, "Server-sent events"). Each message
 * event's {@code id} is the cursor right after it, so the browser's {@code Last-Event-ID} on
 * reconnect resumes exactly there.
 */
final class SseFraming implements StreamFraming {
    static final int PRELUDE_SPACES = 2048;
    /** Milliseconds EventSource waits before reconnecting. */
    static final int RETRY_MILLIS = 2000;
    private static final byte[] PREAMBLE = (":" + " ".repeat(PRELUDE_SPACES) + "\n\nretry: " + RETRY_MILLIS + "\n\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEARTBEAT = ": hb\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final Message.Slot<byte[]> DATA = new Message.Slot<>();

    @Override
    public String contentType() {
        return "text/event-stream; charset=UTF-8";
    }

    @Override
    public void preamble(ByteBuf out) {
        out.writeBytes(PREAMBLE);
    }

    /**
     * An event with only an {@code id} dispatches nothing but sets the EventSource's last event
     * id, so a client that reconnects before any message still resumes from where it started.
     */
    @Override
    public void opening(Cursor start, ByteBuf out) {
        id(start, out);
        out.writeByte('\n');
    }

    @Override
    public boolean wantsMessageCursor() {
        return true;
    }

    @Override
    public void message(Message m, Cursor after, ByteBuf out) {
        id(after, out);
        out.writeBytes(m.encoding(DATA, msg -> data(msg.json())));
    }

    @Override
    public void gap(Gap gap, ByteBuf out) {
        out.writeCharSequence("event: gap\n", StandardCharsets.US_ASCII);
        out.writeBytes(data(gap.json()));
    }

    /** Message events carry the cursor in their ids. */
    @Override
    public void cursor(Cursor cursor, ByteBuf out) {
    }

    @Override
    public void heartbeat(ByteBuf out) {
        out.writeBytes(HEARTBEAT);
    }

    /** Budget: nothing, EventSource reconnects by itself with {@code Last-Event-ID}; otherwise an {@code event: reconnect}. */
    @Override
    public void reconnect(CloseReason reason, Cursor cursor, ByteBuf out) {
        if (reason == CloseReason.BUDGET) {
            return;
        }
        out.writeCharSequence("event: reconnect\n", StandardCharsets.US_ASCII);
        out.writeBytes(data(("{\"reason\":\"" + reason.code() + "\",\"cursor\":\"" + cursor.encode() + "\"}")
                .getBytes(StandardCharsets.US_ASCII)));
    }

    private static void id(Cursor cursor, ByteBuf out) {
        out.writeBytes(ID).writeCharSequence(fieldValue(cursor.encode()), StandardCharsets.US_ASCII);
        out.writeByte('\n');
    }

    /**
     * A value that cannot start another field: cursors are URL-safe base64, so a CR, LF or NUL
     * here is a bug, never data to pass on.
     */
    static String fieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalStateException("SSE field value with CR, LF or NUL");
            }
        }
        return value;
    }

    /**
     * {@code data: JSON\n\n}, one {@code data:} line per line of the JSON: stored data is compact,
     * but an embedder may publish JSON with line breaks (whitespace between tokens), and a raw
     * line break must not end the field. The client joins the lines with LF, which is JSON
     * whitespace again.
     */
    static byte[] data(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 16);
        out.writeBytes(new byte[] {'d', 'a', 't', 'a', ':', ' '});
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < json.length && json[i + 1] == '\n') {
                    i++;
                }
                out.writeBytes(new byte[] {'\n', 'd', 'a', 't', 'a', ':', ' '});
            } else {
                out.write(b);
            }
        }
        out.write('\n');
        out.write('\n');
        return out.toByteArray();
    }
}
