package dev.halley.server.transport.iframe;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import dev.halley.server.transport.stream.ControlFrames;
import dev.halley.server.transport.stream.ScriptCalls;
import dev.halley.server.transport.stream.StreamFraming;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** The forever frame: an HTML document that grows by one {@code <script>CALLBACK(…);</script>} per item. */
final class IframeFraming implements StreamFraming {
    /** Browsers render a streamed document (and run its scripts) progressively only after about 1 KiB. */
    static final int PREAMBLE_SIZE = 1024;
    static final byte[] PREAMBLE = ScriptCalls.padded(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>", PREAMBLE_SIZE)
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRAILER = "</body></html>".getBytes(StandardCharsets.US_ASCII);

    private final ScriptCalls calls;

    /** @param callback a name checked with {@link dev.halley.server.http.CallbackName} */
    IframeFraming(String callback) {
        this.calls = new ScriptCalls(callback);
    }

    @Override
    public String contentType() {
        return "text/html; charset=UTF-8";
    }

    @Override
    public void preamble(ByteBuf out) {
        out.writeBytes(PREAMBLE);
    }

    @Override
    public void message(Message m, Cursor after, ByteBuf out) {
        calls.message(m, out);
    }

    @Override
    public void gap(Gap gap, ByteBuf out) {
        calls.control(gap.json(), out);
    }

    @Override
    public void cursor(Cursor cursor, ByteBuf out) {
        calls.control(ControlFrames.cursor(cursor), out);
    }

    @Override
    public void heartbeat(ByteBuf out) {
        calls.control(ControlFrames.heartbeat(), out);
    }

    @Override
    public void reconnect(CloseReason reason, Cursor cursor, ByteBuf out) {
        calls.control(ControlFrames.reconnect(reason, cursor), out);
    }

    @Override
    public void trailer(ByteBuf out) {
        out.writeBytes(TRAILER);
    }
}
