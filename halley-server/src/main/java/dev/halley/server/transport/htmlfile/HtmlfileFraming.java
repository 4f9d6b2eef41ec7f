package dev.halley.server.transport.htmlfile;

import dev.halley.server.transport.stream.ScriptCalls;
import dev.halley.server.transport.stream.ScriptStreamFraming;
import java.nio.charset.StandardCharsets;

/**
 * The htmlfile document: a preamble that defines {@code p(d)} forwarding to
 * {@code parent.CALLBACK(d)}, then one {@code <script>p(…);</script>} per item.
 */
final class HtmlfileFraming {
    static final int PREAMBLE_SIZE = 1024;
    /** The trampoline every frame calls; defined once in the preamble so frames do not repeat the callback. */
    static final String TRAMPOLINE = "p";

    private HtmlfileFraming() {
    }

    /** @param callback a name checked with {@link dev.halley.server.http.CallbackName}, resolved on {@code parent} */
    static ScriptStreamFraming of(String callback) {
        return new ScriptStreamFraming(preamble(callback).getBytes(StandardCharsets.US_ASCII), TRAMPOLINE);
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
}
