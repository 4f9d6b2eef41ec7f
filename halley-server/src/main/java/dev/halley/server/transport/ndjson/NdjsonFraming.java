package dev.halley.server.transport.ndjson;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import dev.halley.server.transport.stream.ControlFrames;
import dev.halley.server.transport.stream.StreamFraming;
import io.netty.buffer.ByteBuf;

/**
 * Newline-delimited JSON: one object per {@code \n}-terminated line, after a preamble line of
 * 2048 spaces (readers skip blank lines).
 */
final class NdjsonFraming implements StreamFraming {
    /** Old XHR and XDomainRequest implementations report progress only after about 2 KiB. */
    static final int PRELUDE_SPACES = 2048;
    private static final byte[] PRELUDE;
    private static final Message.Slot<byte[]> LINE = new Message.Slot<>();

    static {
        PRELUDE = new byte[PRELUDE_SPACES + 1];
        java.util.Arrays.fill(PRELUDE, (byte) ' ');
        PRELUDE[PRELUDE_SPACES] = '\n';
    }

    @Override
    public String contentType() {
        return "application/x-ndjson; charset=UTF-8";
    }

    @Override
    public void preamble(ByteBuf out) {
        out.writeBytes(PRELUDE);
    }

    @Override
    public void message(Message m, Cursor after, ByteBuf out) {
        out.writeBytes(m.encoding(LINE, NdjsonFraming::line));
    }

    /**
     * The message JSON and a newline. Stored data is compact, but an embedder may publish JSON
     * with line breaks; outside strings (the only place JSON allows them) they are plain
     * whitespace, so they become spaces and the line stays one line.
     */
    static byte[] line(Message m) {
        byte[] json = m.json();
        byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
        for (int i = 0; i < json.length; i++) {
            if (line[i] == '\n' || line[i] == '\r') {
                line[i] = ' ';
            }
        }
        line[json.length] = '\n';
        return line;
    }

    @Override
    public void gap(Gap gap, ByteBuf out) {
        out.writeBytes(gap.json()).writeByte('\n');
    }

    @Override
    public void cursor(Cursor cursor, ByteBuf out) {
        out.writeBytes(ControlFrames.cursor(cursor)).writeByte('\n');
    }

    @Override
    public void heartbeat(ByteBuf out) {
        out.writeBytes(ControlFrames.heartbeat()).writeByte('\n');
    }

    @Override
    public void reconnect(CloseReason reason, Cursor cursor, ByteBuf out) {
        out.writeBytes(ControlFrames.reconnect(reason, cursor)).writeByte('\n');
    }

    @Override
    public String toString() {
        return "NdjsonFraming";
    }
}
