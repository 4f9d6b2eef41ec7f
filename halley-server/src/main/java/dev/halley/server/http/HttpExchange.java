package dev.halley.server.http;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * One HTTP request and its response, owned by the connection's event loop. A route answers at
 * once ({@link #sendJson}, {@link #sendError}, {@link #send}) or later, or streams
 * ({@link #startStream}, {@link #write}, {@link #endStream}). Exactly one answer per exchange;
 * when it is written the connection moves on to the next request (or closes).
 *
 * <p>Every response carries no-cache headers, {@code X-Content-Type-Options: nosniff} and the
 * CORS headers the origin is entitled to.
 */
public final class HttpExchange {
    /**
     * What holds an exchange open past its route (a parked poll, a stream, a held Bayeux connect)
     * and must hear how it ends. Called on the event loop.
     */
    public interface Holder {
        /** The connection closed before the exchange was done. */
        void connectionClosed();

        /** A graceful shutdown begins while the exchange is open. */
        void shutdown();

        /** The socket's writability changed (streams watch it; an answer given at once has no need). */
        default void writabilityChanged() {
        }
    }

    private final ChannelHandlerContext ctx;
    /** Its connection's router: told when the exchange is done, and the way to the server's context. */
    private final RouterHandler router;
    /** The request and its decoded target: only while the route handles it (see {@link #handled()}). */
    private FullHttpRequest request;
    private QueryStringDecoder query;
    private final HttpMethod method;
    private final HttpVersion version;
    private String path;
    private boolean keepAlive;
    private final String origin;
    private byte[] body;
    private boolean responded;
    private boolean done;
    private boolean streaming;
    private Holder holder;

    HttpExchange(ChannelHandlerContext ctx, RouterHandler router, FullHttpRequest request) {
        this.ctx = ctx;
        this.router = router;
        this.request = request;
        this.query = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8, true, 256);
        this.keepAlive = HttpUtil.isKeepAlive(request) && !router.server().isShuttingDown();
        this.origin = request.headers().get(HttpHeaderNames.ORIGIN);
        this.body = request.content().isReadable() ? ByteBufUtil.getBytes(request.content()) : EMPTY;
        this.method = request.method();
        this.version = request.protocolVersion();
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * The route has returned: forget the request, its headers, body and query, which a parked
     * long-poll or an open stream would otherwise hold for its whole life.
     */
    void handled() {
        if (path == null && query != null) {
            try {
                path = query.path();
            } catch (IllegalArgumentException e) {
                path = "?";
            }
        }
        request = null;
        query = null;
        body = EMPTY;
    }

    private void requireRequest() {
        if (request == null) {
            throw new IllegalStateException("the request is only readable while its route handles it");
        }
    }

    public ChannelHandlerContext ctx() {
        return ctx;
    }

    public ServerContext server() {
        return router.server();
    }

    /** The path is exactly the route's key: keep that string rather than the decoder's copy, which a held exchange would keep. */
    void pathIs(String routeKey) {
        path = routeKey;
    }

    /** The request; valid only during {@link Route#handle}. */
    public FullHttpRequest request() {
        requireRequest();
        return request;
    }

    public HttpMethod method() {
        return method;
    }

    public String path() {
        return path != null ? path : query != null ? query.path() : null;
    }

    /**
     * Decodes the path and query now, so that bad percent-encoding is a 400 before any route
     * runs (the decoder is lazy and would throw from inside a route).
     */
    void decodeTarget() {
        try {
            query.path();
            query.parameters();
        } catch (IllegalArgumentException e) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "The request target is not valid percent-encoding.");
        }
    }

    public String header(CharSequence name) {
        requireRequest();
        return request.headers().get(name);
    }

    public String origin() {
        return origin;
    }

    /** The first value of query parameter {@code name}, or null. */
    public String param(String name) {
        requireRequest();
        List<String> v = query.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** All values of query parameter {@code name}, possibly empty. */
    public List<String> params(String name) {
        requireRequest();
        return query.parameters().getOrDefault(name, List.of());
    }

    /** The request body (already bounded by the guard). */
    public byte[] body() {
        return body;
    }

    /** Fails with 405 unless the method is one of {@code allowed}. */
    public void requireMethod(HttpMethod... allowed) {
        for (HttpMethod m : allowed) {
            if (m.equals(method)) {
                return;
            }
        }
        StringBuilder allow = new StringBuilder();
        for (HttpMethod m : allowed) {
            allow.append(allow.length() == 0 ? "" : ", ").append(m.name());
        }
        throw new MethodNotAllowed(allow.toString());
    }

    /** A 405 carrying its {@code Allow} header. */
    static final class MethodNotAllowed extends HalleyException {
        final String allow;

        MethodNotAllowed(String allow) {
            super(ReplyError.METHOD_NOT_ALLOWED, "This path accepts " + allow + ".");
            this.allow = allow;
        }
    }

    // ---- one-shot answers ------------------------------------------------------------------

    public void sendJson(HttpResponseStatus status, byte[] json) {
        send(status, "application/json; charset=UTF-8", Unpooled.wrappedBuffer(json), null);
    }

    /** A JSON error body {@code {"error":code,"message":…}} with the error's status; counted in metrics. */
    public void sendError(ReplyError error, String message) {
        server().metrics().error(error);
        send(HttpResponseStatus.valueOf(error.httpStatus()), "application/json; charset=UTF-8",
                Unpooled.wrappedBuffer(ErrorBody.of(error, message)), null);
    }

    void sendError(HalleyException e) {
        server().metrics().error(e.error());
        Consumer<HttpHeaders> extra = e instanceof MethodNotAllowed m ? h -> h.set(HttpHeaderNames.ALLOW, m.allow) : null;
        send(HttpResponseStatus.valueOf(e.error().httpStatus()), "application/json; charset=UTF-8",
                Unpooled.wrappedBuffer(ErrorBody.of(e.error(), e.getMessage())), extra);
    }

    /**
     * A JSONP error, {@code /**}{@code /NAME({"error":…,"message":…});} with status 200: a script
     * tag runs only a 2xx answer, so a 4xx would leave the page unaware. Counted like {@link #sendError}.
     * The callback must have been checked with {@link CallbackName}.
     */
    public void sendJsonpError(String callback, ReplyError error, String message) {
        server().metrics().error(error);
        sendJsonp(callback, ErrorBody.of(error, message));
    }

    /**
     * A JSONP answer: {@code /**}{@code /NAME(json);} as {@code application/javascript}. The callback
     * must have been checked with {@link CallbackName}.
     */
    public void sendJsonp(String callback, byte[] json) {
        sendJsonp(callback, json, null);
    }

    /** {@link #sendJsonp(String, byte[])} with extra response headers (a cookie). */
    public void sendJsonp(String callback, byte[] json, Consumer<HttpHeaders> extra) {
        ByteBuf buf = ctx.alloc().buffer(json.length + callback.length() + 8);
        buf.writeCharSequence("/**/" + callback + "(", StandardCharsets.US_ASCII);
        buf.writeBytes(json);
        buf.writeCharSequence(");", StandardCharsets.US_ASCII);
        send(HttpResponseStatus.OK, "application/javascript; charset=UTF-8", buf, extra);
    }

    /** Sends a complete response; takes ownership of {@code body}. */
    public void send(HttpResponseStatus status, String contentType, ByteBuf body, Consumer<HttpHeaders> extra) {
        if (responded) {
            body.release();
            throw new IllegalStateException("already answered: " + this);
        }
        responded = true;
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        HttpHeaders h = res.headers();
        if (contentType != null) {
            h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        commonHeaders(h);
        if (extra != null) {
            extra.accept(h);
        }
        if (method.equals(HttpMethod.HEAD)) {
            res = res.replace(Unpooled.EMPTY_BUFFER);
            body.release();
        }
        finish(ctx.writeAndFlush(res));
    }

    /** The answer will carry {@code Connection: close} and the connection ends once it is written. */
    public void closeAfterResponse() {
        keepAlive = false;
    }

    // ---- streams ---------------------------------------------------------------------------

    /**
     * Starts a chunked response; follow with {@link #write}/{@link #flush} and end with
     * {@link #endStream}. An HTTP/1.0 client cannot read chunks (RFC 9112 section 6.1): it gets
     * the bytes as they are, and the end of the stream closes the connection.
     */
    public void startStream(String contentType, Consumer<HttpHeaders> extra) {
        if (responded) {
            throw new IllegalStateException("already answered: " + this);
        }
        responded = true;
        streaming = true;
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = res.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (version.equals(HttpVersion.HTTP_1_0)) {
            keepAlive = false;
        } else {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        commonHeaders(h);
        if (extra != null) {
            extra.accept(h);
        }
        ctx.write(res);
    }

    /** Writes one chunk of a stream (not flushed); takes ownership of {@code chunk}. */
    public ChannelFuture write(ByteBuf chunk) {
        return ctx.write(new DefaultHttpContent(chunk));
    }

    public void flush() {
        ctx.flush();
    }

    /**
     * Ends the stream with the terminating chunk (flushed). The returned future completes when
     * that chunk is written (at once when the connection is already gone), so a caller can close
     * the connection after it.
     */
    public ChannelFuture endStream() {
        if (!done && ctx.channel().isActive()) {
            ChannelFuture f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            finish(f);
            return f;
        }
        markDone();
        return ctx.newSucceededFuture();
    }

    public boolean isStreaming() {
        return streaming;
    }

    public boolean hasResponded() {
        return responded;
    }

    public boolean isDone() {
        return done;
    }

    public boolean isOpen() {
        return !done && ctx.channel().isActive();
    }

    /** {@code holder} hears, on the event loop, if the connection closes or the server shuts down before the exchange is done. */
    public void hold(Holder holder) {
        this.holder = holder;
    }

    /** The exchange leaves HTTP (WebSocket upgrade): the router forgets it. */
    public void detach() {
        responded = true;
        markDone();
    }

    void connectionClosed() {
        if (!done) {
            done = true;
            Holder h = holder;
            if (h != null) {
                h.connectionClosed();
            }
        }
    }

    void shutdown() {
        Holder h = holder;
        if (!done && h != null) {
            h.shutdown();
        }
    }

    void writabilityChanged() {
        Holder h = holder;
        if (!done && h != null) {
            h.writabilityChanged();
        }
    }

    private void commonHeaders(HttpHeaders h) {
        NoCacheHeaders.apply(h);
        h.set("X-Content-Type-Options", "nosniff");
        server().cors().decorate(origin, h);
        if (!keepAlive()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version.equals(HttpVersion.HTTP_1_0)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Keep the connection after this answer? Not when the client said no, nor while shutting down. */
    private boolean keepAlive() {
        return keepAlive && !server().isShuttingDown();
    }

    private void finish(ChannelFuture f) {
        if (!keepAlive()) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        markDone();
    }

    private void markDone() {
        if (!done) {
            done = true;
            router.done(this);
        }
    }

    @Override
    public String toString() {
        return "HttpExchange[" + method + " " + path() + ", responded=" + responded + ", done=" + done
                + ", streaming=" + streaming + ", " + ctx.channel() + "]";
    }
}
