package dev.halley.server.transport.ndjson;

import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import dev.halley.server.transport.SubscribeParams;
import dev.halley.server.transport.stream.StreamingResponse;
import io.netty.handler.codec.http.HttpMethod;

/**
 * XHR streaming, {@code GET /stream?channel=…[&since=N[&epoch=E] | &cursor=X]}: a chunked
 * {@code application/x-ndjson} response, one JSON object per line.
 *
 * <pre>
 * (2048 spaces)\n
 * {"cursor":"…"}\n                                    the starting point
 * {"channel":"news","recovered":false}\n              a gap, before replayed messages
 * {"channel":"news","offset":18,"data":…,"time":…}\n  one per message
 * {"cursor":"…"}\n                                    after each batch
 * {"heartbeat":true}\n                                after a silence of heartbeat
 * {"reconnect":true,"reason":"budget","cursor":"…"}\n then the terminating chunk
 * </pre>
 * Works with XHR {@code onprogress}, {@code fetch} body readers and {@code XDomainRequest}.
 */
public final class NdjsonTransport implements Route {
    private static final NdjsonFraming FRAMING = new NdjsonFraming();

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        StreamingResponse.start(ex, SubscribeParams.from(ex, null), FRAMING);
    }
}
