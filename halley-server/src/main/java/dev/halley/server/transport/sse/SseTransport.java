package dev.halley.server.transport.sse;

import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import dev.halley.server.transport.SubscribeParams;
import dev.halley.server.transport.stream.StreamingResponse;
import io.netty.handler.codec.http.HttpMethod;

/**
 * Server-Sent Events, {@code GET /sse?channel=…[&since=N | &cursor=X]}: {@code text/event-stream}
 * for {@code EventSource}. The {@code Last-Event-ID} header (sent by EventSource when it
 * reconnects) resumes and wins over {@code cursor=}.
 *
 * <pre>
 * :(2048 spaces)\n\n
 * retry: 2000\n\n
 * id: CURSOR\n\n                                         the starting point (sets lastEventId, no event)
 * event: gap\ndata: {"channel":"news","recovered":false}\n\n
 * id: CURSOR\ndata: {"channel":"news","offset":18,"data":…,"time":…}\n\n
 * : hb\n\n                                               after a silence of heartbeat
 * event: reconnect\ndata: {"reason":"shutdown","cursor":"…"}\n\n   shutdown and slow only
 * </pre>
 * When the byte budget is spent the stream just ends; EventSource reconnects after
 * {@code retry} with the last id.
 */
public final class SseTransport implements Route {
    private static final SseFraming FRAMING = new SseFraming();

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        StreamingResponse.start(ex, SubscribeParams.from(ex, ex.header("Last-Event-ID")), FRAMING);
    }
}
