package dev.halley.server.transport.stream;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The HTML streams (forever frame, htmlfile): a transport-specific preamble, then one
 * {@code <script>FUNCTION(OBJECT);</script>} line per message or control object (the objects of
 * the NDJSON stream), and {@code </body></html>} at the end. The transports differ only in
 * their preamble and the function their frames call.
 */
public final class ScriptStreamFraming implements StreamFraming {
    private static final byte[] TRAILER = "</body></html>".getBytes(StandardCharsets.US_ASCII);

    private final byte[] preamble;
    private final ScriptCalls calls;

    /**
     * @param preamble the opening bytes (see {@link ScriptCalls#padded})
     * @param function what each frame calls: a validated callback or a name the preamble defines
     */
    public ScriptStreamFraming(byte[] preamble, String function) {
        this.preamble = preamble;
        this.calls = new ScriptCalls(function);
    }

    @Override
    public String contentType() {
        return "text/html; charset=UTF-8";
    }

    @Override
    public void preamble(ByteBuf out) {
        out.writeBytes(preamble);
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
