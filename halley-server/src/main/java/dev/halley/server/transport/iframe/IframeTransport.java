package dev.halley.server.transport.iframe;

import dev.halley.server.http.CallbackName;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import dev.halley.server.transport.SubscribeParams;
import dev.halley.server.transport.stream.StreamingResponse;
import io.netty.handler.codec.http.HttpMethod;

/**
 * The forever frame, {@code GET /iframe?channel=…&callback=parent.cb[&since=N | &cursor=X]}: a
 * hidden iframe loads a chunked {@code text/html} document that never finishes loading; each
 * message and control object arrives as a script calling {@code callback} (validated with
 * {@link CallbackName}; usually a function of the parent page):
 *
 * <pre>
 * &lt;!DOCTYPE html&gt;&lt;html&gt;&lt;head&gt;&lt;meta charset="utf-8"&gt;&lt;/head&gt;&lt;body&gt;&lt;!--(spaces)--&gt;\n   1024 bytes
 * &lt;script&gt;parent.cb({"cursor":"…"});&lt;/script&gt;\n
 * &lt;script&gt;parent.cb({"channel":"news","offset":18,"data":…,"time":…});&lt;/script&gt;\n
 * …  (gap, cursor, heartbeat and reconnect objects as on /stream)
 * &lt;/body&gt;&lt;/html&gt;
 * </pre>
 * The JSON is escaped for script blocks ({@code <} as {@code \u003c}), so data cannot close the block.
 */
public final class IframeTransport implements Route {

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        String callback = CallbackName.required(ex);
        StreamingResponse.start(ex, SubscribeParams.from(ex, null), IframeFraming.of(callback));
    }
}
