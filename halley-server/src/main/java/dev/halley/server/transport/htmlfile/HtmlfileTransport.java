package dev.halley.server.transport.htmlfile;

import dev.halley.server.http.CallbackName;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import dev.halley.server.transport.SubscribeParams;
import dev.halley.server.transport.stream.StreamingResponse;
import io.netty.handler.codec.http.HttpMethod;

/**
 * The IE {@code htmlfile} stream, {@code GET /htmlfile?channel=…&callback=cb[&since=N | &cursor=X]},
 * modelled on SockJS's htmlfile transport. The client creates an {@code ActiveXObject("htmlfile")}
 * document (which, unlike a visible iframe, shows no busy cursor or clicking sound), sets
 * {@code doc.parentWindow.cb = fn} and loads this URL in an iframe inside it. From that frame
 * the callback is {@code parent.cb}: the server resolves {@code callback} on {@code parent}, so
 * clients pass the bare name.
 *
 * <pre>
 * &lt;!DOCTYPE html&gt;&lt;html&gt;&lt;head&gt;&lt;meta http-equiv="X-UA-Compatible" content="IE=edge"&gt;&lt;meta charset="utf-8"&gt;&lt;/head&gt;
 * &lt;body&gt;&lt;script&gt;function p(d){parent.cb(d);}&lt;/script&gt;&lt;!--(spaces)--&gt;\n          1024 bytes in all
 * &lt;script&gt;p({"cursor":"…"});&lt;/script&gt;\n
 * &lt;script&gt;p({"channel":"news","offset":18,"data":…,"time":…});&lt;/script&gt;\n
 * …  (gap, cursor, heartbeat and reconnect objects as on /stream)
 * &lt;/body&gt;&lt;/html&gt;
 * </pre>
 * Unlike SockJS it sets no {@code document.domain} (modern browsers refuse it) and installs no
 * {@code onload} handler: the end of a stream is the {@code reconnect} object.
 */
public final class HtmlfileTransport implements Route {

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        String callback = CallbackName.required(ex);
        StreamingResponse.start(ex, SubscribeParams.from(ex, null), HtmlfileFraming.of(callback));
    }
}
