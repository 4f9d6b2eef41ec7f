package dev.halley.server.transport.htmlfile;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import dev.halley.server.transport.stream.ControlFrames;
import dev.halley.server.transport.stream.ScriptCalls;
import dev.halley.server.transport.stream.StreamFraming;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The htmlfile document: a preamble that defines {@code p(d)} forwarding to
 * {@code parent.CALLBACK(d)}, then one {@code <script>p(…);</script>} per item.
 */
final class HtmlfileFraming implements StreamFraming {
    static final int PREAMBLE_SIZE = 1024;
    /** The trampoline every frame calls; defined once in the preamble so frames do not repeat the callback. */
    static final String TRAMPOLINE = "p";
    private static final ScriptCalls CALLS = new ScriptCalls(TRAMPOLINE);
    private static final byte[] TRAILER = "</body></html>".getBytes(StandardCharsets.US_ASCII);

    private final byte[] preamble;

    /** @param callback a name checked with {@link dev.halley.server.http.CallbackName}, resolved on {@code parent} */
    HtmlfileFraming(String callback) {
        this.preamble = preamble(callback).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * X-UA-Compatible because an {@code htmlfile} document's frame otherwise renders in a legacy
     * document mode; the trampoline resolves {@code parent.CALLBACK} at each call (the client may
     * set the callback on the htmlfile window after the frame started loading), and nothing waits
     * for {@code onload}, which never comes on a stream.
     */
    static String preamble(String callback) {
        return ScriptCalls.padded("<!DOCTYPE html><html><head><meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">"
                + "<meta charset=\"utf-8\"></head><body><script>function " + TRAMPOLINE + "(d){parent." + callback
                + "(d);}</script>", PREAMBLE_SIZE);
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
        CALLS.message(m, out);
    }

    @Override
    public void gap(Gap gap, ByteBuf out) {
        CALLS.control(gap.json(), out);
    }

    @Override
    public void cursor(Cursor cursor, ByteBuf out) {
        CALLS.control(ControlFrames.cursor(cursor), out);
    }

    @Override
    public void heartbeat(ByteBuf out) {
        CALLS.control(ControlFrames.heartbeat(), out);
    }

    @Override
    public void reconnect(CloseReason reason, Cursor cursor, ByteBuf out) {
        CALLS.control(ControlFrames.reconnect(reason, cursor), out);
    }

    @Override
    public void trailer(ByteBuf out) {
        out.writeBytes(TRAILER);
    }
}
