package dev.halley.server.transport.iframe;

import dev.halley.server.transport.stream.ScriptCalls;
import dev.halley.server.transport.stream.ScriptStreamFraming;
import java.nio.charset.StandardCharsets;

/** The forever frame: an HTML document that grows by one {@code <script>CALLBACK(…);</script>} per item. */
final class IframeFraming {
    /** Browsers render a streamed document (and run its scripts) progressively only after about 1 KiB. */
    static final int PREAMBLE_SIZE = 1024;
    static final byte[] PREAMBLE = ScriptCalls.padded(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>", PREAMBLE_SIZE)
            .getBytes(StandardCharsets.US_ASCII);

    private IframeFraming() {
    }

    /** @param callback a name checked with {@link dev.halley.server.http.CallbackName}, e.g. {@code parent.cb} */
    static ScriptStreamFraming of(String callback) {
        return new ScriptStreamFraming(PREAMBLE, callback);
    }
}
