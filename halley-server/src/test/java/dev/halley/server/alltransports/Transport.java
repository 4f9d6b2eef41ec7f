package dev.halley.server.alltransports;

/** Every native transport, as a client would use it. */
enum Transport {
    POLLING, LONG_POLLING, JSONP_POLLING, JSONP_LONG_POLLING, XHR_STREAMING, FOREVER_FRAME, HTMLFILE, SSE, WEBSOCKET;

    boolean isStreaming() {
        return this == XHR_STREAMING || this == FOREVER_FRAME || this == HTMLFILE || this == SSE || this == WEBSOCKET;
    }
}
