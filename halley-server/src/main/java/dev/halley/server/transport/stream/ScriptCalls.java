package dev.halley.server.transport.stream;

import dev.halley.core.Message;
import dev.halley.server.http.ScriptSafe;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Script-block frames of the HTML streams (forever frame, htmlfile):
 * {@code <script>FUNCTION(JSON);</script>\n}. The JSON is made safe for an HTML script block
 * with {@link ScriptSafe#escape(byte[], boolean)}, so data holding {@code </script>} or
 * {@code <!--} cannot end the block; a message's safe JSON is computed once and cached on it.
 */
public final class ScriptCalls {
    private static final Message.Slot<byte[]> SAFE_JSON = new Message.Slot<>();
    private static final byte[] CLOSE = ");</script>\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[] open;

    /** Calls to {@code function}, a validated callback expression (e.g. {@code parent.cb}) or a name defined in the preamble. */
    public ScriptCalls(String function) {
        this.open = ("<script>" + function + "(").getBytes(StandardCharsets.US_ASCII);
    }

    /** A call with a message. */
    public void message(Message m, ByteBuf out) {
        call(m.encoding(SAFE_JSON, msg -> ScriptSafe.escape(msg.json(), true)), out);
    }

    /** A call with a control object (ASCII JSON); escaped here all the same. */
    public void control(byte[] json, ByteBuf out) {
        call(ScriptSafe.escape(json, true), out);
    }

    private void call(byte[] safeJson, ByteBuf out) {
        out.writeBytes(open).writeBytes(safeJson).writeBytes(CLOSE);
    }

    /**
     * Pads an HTML preamble to at least {@code size} bytes with a comment and ends it with a
     * newline: browsers start rendering (and running scripts of) a streamed document only after
     * about 1 KiB has arrived.
     */
    public static String padded(String head, int size) {
        int fill = Math.max(0, size - head.length() - "<!---->\n".length());
        return head + "<!--" + " ".repeat(fill) + "-->\n";
    }
}
