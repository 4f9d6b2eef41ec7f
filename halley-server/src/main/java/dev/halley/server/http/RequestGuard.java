package dev.halley.server.http;

import dev.halley.core.ReplyError;
import dev.halley.server.Deadline;
import dev.halley.server.Metrics;
import dev.halley.server.ServerContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.TransferEncodingNotAllowedException;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The edge rules of every HTTP connection, applied by {@link HttpCodecHandler} between decoding
 * and the router. It refuses, with a JSON error and {@code Connection: close}:
 * <ul>
 *   <li>request lines over the limit (414), header blocks over the limit (431), undecodable requests (400);</li>
 *   <li>requests with both {@code Content-Length} and {@code Transfer-Encoding}, or
 *       {@code Transfer-Encoding} on HTTP/1.0 (smuggling vectors, RFC 9112 §6.1, §6.3), and
 *       compressed request bodies (400);</li>
 *   <li>bodies over the route's limit, by declared length at once, by counted bytes as they come (413).</li>
 * </ul>
 * A refusal keeps the order of answers: when earlier pipelined requests are still being
 * answered, it waits for them. After it, everything the client sends is dropped; the server
 * half-closes and closes after {@link #LINGER_MILLIS} or when the client does, so that the client
 * reads the answer rather than a connection reset (RFC 9112 §9.6).
 *
 * <p>Deadlines, on the event loop's {@link dev.halley.server.DeadlineWheel} (the guard is its
 * own entry there): headers within {@code header-timeout} of the first byte (or of connect), the
 * body within {@code body-timeout} of the headers, and {@code idle-timeout} between keep-alive
 * requests. None runs while a response is being held or streamed, unless the client starts
 * another request meanwhile. Expiry closes the connection and is counted. A connection that
 * leaves HTTP (WebSocket) leaves with its codec handler, and the guard with it. Known gap: bytes
 * of a next request that arrive in the same read as the end of the previous one are under the
 * idle deadline, not the header deadline.
 *
 * <p>{@link HttpCodecHandler} is the guard (this class is its policy half, the handler the
 * plumbing), and the guard is its own entry on the wheel and the listener of every answer's last
 * write: one object per connection for all of it. Event loop only.
 */
abstract class RequestGuard extends Deadline implements ChannelFutureListener {
    /** How long a refused connection may stay half-closed, dropping input, before it is closed. */
    static final long LINGER_MILLIS = 2000;

    /** Which deadline is armed. */
    private enum Phase {
        HEADERS(Metrics.Deadline.HEADERS), BODY(Metrics.Deadline.BODY), IDLE(Metrics.Deadline.IDLE), LINGER(null);

        final Metrics.Deadline counted;

        Phase(Metrics.Deadline counted) {
            this.counted = counted;
        }
    }

    /** Why a request is refused before it reaches a route. */
    private record Refusal(ReplyError error, String message) {
    }

    private final ServerContext server;
    private ChannelHandlerContext ctx;
    /** The deadline that runs, or null; the wheel entry may expire before it is due, and re-arms. */
    private Phase armed;
    private long dueNanos;
    /** Bytes of a request whose head and body are not complete yet have arrived. */
    private boolean inRequest;
    /** After a refusal everything read is dropped. */
    private boolean refused;
    /** The connection left HTTP or closed: no deadline may be armed any more. */
    private boolean gone;
    /** Requests passed on whose response is not completely written yet. */
    private int outstanding;
    /** A refusal waiting for the answers to earlier pipelined requests; released if the connection closes first. */
    private FullHttpResponse pendingRefusal;
    private String origin;
    private int bodyLimit;
    private long bodySeen;

    RequestGuard(ServerContext server) {
        this.server = server;
    }

    final void added(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The handler's context, once added. */
    final ChannelHandlerContext ctx() {
        return ctx;
    }

    /** Writes the guard's own answer (a refusal), encoded and flushed, not counted as the answer to a request. */
    abstract ChannelFuture writeOwn(ChannelHandlerContext ctx, HttpResponse res);

    /** The connection is up: the header deadline runs from now. */
    final void active() {
        arm(Phase.HEADERS, server.config().headerTimeout());
    }

    /** Whether input is dropped (after a refusal). */
    final boolean dropping() {
        return refused;
    }

    /** Whether the last request is complete and nothing of another one has come (and nothing was refused). */
    final boolean betweenRequests() {
        return !inRequest && !refused;
    }

    /** Raw bytes arrived: the first of a request starts the header deadline. */
    final void bytes(boolean readable) {
        if (!inRequest && !refused && readable) {
            inRequest = true;
            arm(Phase.HEADERS, server.config().headerTimeout());
        }
    }

    /**
     * One decoded object on its way to the router: whether it goes on. When it does not, it was
     * released here (and perhaps refused, with an answer).
     */
    final boolean accept(Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return false;
        }
        if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            refuse(undecodable(o), null);
            return false;
        }
        if (msg instanceof HttpRequest req) {
            Refusal r = checkHead(req);
            if (r != null) {
                ReferenceCountUtil.release(msg);
                refuse(r, origin);
                return false;
            }
            if (!(msg instanceof LastHttpContent)) {
                arm(Phase.BODY, server.config().bodyTimeout());
            }
        }
        if (msg instanceof HttpContent content) {
            bodySeen += content.content().readableBytes();
            if (bodySeen > bodyLimit) {
                ReferenceCountUtil.release(msg);
                refuse(tooLarge(), origin);
                return false;
            }
            if (msg instanceof LastHttpContent) {
                requestComplete();
            }
        }
        return true;
    }

    private static Refusal undecodable(HttpObject o) {
        Throwable c = o.decoderResult().cause();
        if (!(o instanceof HttpRequest)) {
            return new Refusal(ReplyError.BAD_REQUEST, "The chunked body is not valid.");
        }
        if (c instanceof TooLongHttpLineException) {
            return new Refusal(ReplyError.URI_TOO_LONG, "The request line is too long.");
        }
        if (c instanceof TooLongHttpHeaderException) {
            return new Refusal(ReplyError.HEADERS_TOO_LARGE, "The header block is too large.");
        }
        if (c instanceof ContentLengthNotAllowedException || c instanceof TransferEncodingNotAllowedException) {
            return smuggling();
        }
        return new Refusal(ReplyError.BAD_REQUEST, "The request is not valid HTTP/1.1.");
    }

    /** Checks a request head; sets the body limit. Returns the refusal, or null to go on. */
    private Refusal checkHead(HttpRequest req) {
        inRequest = true;
        origin = req.headers().get(HttpHeaderNames.ORIGIN);
        bodyLimit = req.uri().startsWith("/api/") ? server.config().maxPublishBody() : server.config().maxClientBody();
        bodySeen = 0;
        // The codec refuses these already (RFC 9112 mode); kept so the guard does not depend on it.
        if (req.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return smuggling();
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return new Refusal(ReplyError.BAD_REQUEST, "Compressed request bodies are not accepted.");
        }
        if (HttpUtil.getContentLength(req, -1L) > bodyLimit) {
            return tooLarge();
        }
        return null;
    }

    private static Refusal smuggling() {
        return new Refusal(ReplyError.BAD_REQUEST,
                "Transfer-Encoding may not come with Content-Length, nor in HTTP/1.0 (RFC 9112 section 6).");
    }

    private Refusal tooLarge() {
        return new Refusal(ReplyError.TOO_LARGE, "The body is larger than " + bodyLimit + " bytes.");
    }

    private void requestComplete() {
        inRequest = false;
        outstanding++;
        disarm();
    }

    /**
     * Answers with a JSON error (after the answers to earlier requests), then closes; drops
     * whatever else the client sends. {@code origin} (may be null) gets its CORS headers, so a
     * browser can read a 413.
     */
    private void refuse(Refusal r, String origin) {
        refused = true;
        inRequest = false;
        disarm();
        server.metrics().error(r.error());
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.error().httpStatus()),
                Unpooled.wrappedBuffer(ErrorBody.of(r.error(), r.message())));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set("X-Content-Type-Options", "nosniff");
        NoCacheHeaders.apply(res.headers());
        server.cors().decorate(origin, res.headers());
        if (outstanding == 0) {
            sendRefusal(res);
        } else {
            pendingRefusal = res;
        }
    }

    private void sendRefusal(FullHttpResponse res) {
        writeOwn(ctx, res).addListener(f -> linger());
    }

    /** Half-closes so the client reads the answer and EOF rather than a reset; closes for good later. */
    private void linger() {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (ctx.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
            arm(Phase.LINGER, Duration.ofMillis(LINGER_MILLIS));
        } else {
            ctx.close();
        }
    }

    /** The complete answer to a request has been written (this is the listener of its last write). */
    @Override
    public final void operationComplete(ChannelFuture f) {
        if (outstanding > 0) {
            outstanding--;
        }
        if (outstanding > 0) {
            return;
        }
        if (pendingRefusal != null) {
            FullHttpResponse res = pendingRefusal;
            pendingRefusal = null;
            sendRefusal(res);
        } else if (!inRequest && !refused && ctx.channel().isActive()) {
            arm(Phase.IDLE, server.config().idleTimeout());
        }
    }

    /** The connection closed, or left HTTP (its codec handler was removed): nothing runs any more. */
    final void gone() {
        gone = true;
        disarm();
        cancel();
        if (pendingRefusal != null) {
            pendingRefusal.release();
            pendingRefusal = null;
        }
    }

    /**
     * Arms {@code phase}'s deadline. Cheap by design, since it runs on every request: it only
     * records the phase and its due time. The guard is on the wheel at most once; when it
     * expires early (the deadline moved later meanwhile) it re-arms for the rest, so a busy
     * keep-alive connection costs a wheel operation per deadline period, not two per request.
     */
    private void arm(Phase phase, Duration after) {
        long millis = after.toMillis();
        if (millis <= 0 || gone) {
            armed = null;
            return;
        }
        armed = phase;
        dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        if (!isScheduled() || dueNanos() - dueNanos > 0) {
            schedule(server.wheel(ctx.executor()), TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    /** No deadline runs; the wheel entry, if any, is left to expire and find nothing to do. */
    private void disarm() {
        armed = null;
    }

    @Override
    protected final void expired() {
        Phase phase = armed;
        if (phase == null || !ctx.channel().isActive()) {
            return;
        }
        long remainingNanos = dueNanos - System.nanoTime();
        if (remainingNanos > 0) {
            schedule(server.wheel(ctx.executor()), remainingNanos);
            return;
        }
        armed = null;
        if (phase.counted != null) {
            server.metrics().timedOut(phase.counted);
        }
        ctx.close();
    }

    /** The guard's state, for the handler's {@code toString()}. */
    final String guardState() {
        return "guard[inRequest=" + inRequest + ", outstanding=" + outstanding + ", refused=" + refused
                + ", bodySeen=" + bodySeen + "/" + bodyLimit + (armed != null ? ", armed " + armed : "") + "]";
    }
}
