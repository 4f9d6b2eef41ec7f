package dev.halley.server.http;

import dev.halley.core.ReplyError;
import dev.halley.server.Deadline;
import dev.halley.server.HalleyConfig;
import dev.halley.server.Metrics;
import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
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
import io.netty.handler.codec.http.HttpStatusClass;
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
 * The edge of every HTTP connection, between the codec and the aggregator. It refuses, with a
 * JSON error and {@code Connection: close}:
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
 * <p>Deadlines run on the event loop's {@link dev.halley.server.DeadlineWheel}: headers within {@code header-timeout} of the first byte
 * (or of connect), the body within {@code body-timeout} of the headers, and {@code idle-timeout}
 * between keep-alive requests. None runs while a response is being held or streamed, unless
 * the client starts another request meanwhile. Expiry closes the connection and is counted.
 * Known gap: bytes of a next request that arrive in the same read as the end of the previous
 * one are under the idle deadline, not the header deadline (the codec does not say it holds them).
 */
public final class RequestGuardHandler extends ChannelDuplexHandler {
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
    private final HalleyConfig config;
    private final ChannelInboundHandlerAdapter firstByteWatcher = new FirstByteWatcher();
    private ChannelHandlerContext ctx;
    /** On the loop's wheel while any deadline runs; it may expire before the armed deadline is due. */
    private final Expiry deadline = new Expiry();
    /** The deadline that runs, or null. */
    private Phase armed;
    private long dueNanos;
    /** Bytes of a request whose head and body are not complete yet have arrived. */
    private boolean inRequest;
    /** Requests passed on whose response is not completely written yet. */
    private int outstanding;
    /** After a refusal everything read is dropped. */
    private boolean refused;
    /** A refusal waiting for the answers to earlier pipelined requests; released if the connection closes first. */
    private FullHttpResponse pendingRefusal;
    private String origin;
    /** The connection left HTTP: no deadline may be armed any more (a 101 write listener may still run). */
    private boolean upgraded;
    private long bodyLimit;
    private long bodySeen;

    public RequestGuardHandler(ServerContext server) {
        this.server = server;
        this.config = server.config();
    }

    /** Goes before the HTTP codec: notices the first raw byte of a request to start the header deadline. */
    public ChannelInboundHandlerAdapter firstByteWatcher() {
        return firstByteWatcher;
    }

    private final class FirstByteWatcher extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            if (!inRequest && !refused && msg instanceof ByteBuf b && b.isReadable()) {
                inRequest = true;
                arm(Phase.HEADERS, config.headerTimeout());
            }
            c.fireChannelRead(msg);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Metrics metrics = server.metrics();
        metrics.connectionOpened();
        // On the close future, not channelInactive: the guard leaves the pipeline on upgrade.
        ctx.channel().closeFuture().addListener(f -> metrics.connectionClosed());
        arm(Phase.HEADERS, config.headerTimeout());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        cancelTimer();
        if (pendingRefusal != null) {
            pendingRefusal.release();
            pendingRefusal = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            refuse(undecodable(o), null);
            return;
        }
        if (msg instanceof HttpRequest req) {
            Refusal r = checkHead(req);
            if (r != null) {
                ReferenceCountUtil.release(msg);
                refuse(r, origin);
                return;
            }
            if (!(msg instanceof LastHttpContent)) {
                arm(Phase.BODY, config.bodyTimeout());
            }
        }
        if (msg instanceof HttpContent content) {
            bodySeen += content.content().readableBytes();
            if (bodySeen > bodyLimit) {
                ReferenceCountUtil.release(msg);
                refuse(tooLarge(), origin);
                return;
            }
            if (msg instanceof LastHttpContent) {
                requestComplete();
            }
        }
        ctx.fireChannelRead(msg);
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
        bodyLimit = req.uri().startsWith("/api/") ? config.maxPublishBody() : config.maxClientBody();
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
        ctx.writeAndFlush(res).addListener(f -> linger());
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

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && !isInformational(msg)) {
            ctx.write(msg, promise.unvoid()).addListener(f -> responseWritten());
            return;
        }
        ctx.write(msg, promise);
    }

    /** A 100 Continue (from the aggregator) or a 101 is not the answer to a request. */
    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void responseWritten() {
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
            arm(Phase.IDLE, config.idleTimeout());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof UpgradedEvent) {
            upgraded = true;
            disarm();
            cancelTimer();
            ctx.pipeline().remove(firstByteWatcher);
            ctx.pipeline().remove(this);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Fired once a connection leaves HTTP (WebSocket): the guard and its first-byte watcher step
     * aside, so no HTTP deadline closes the upgraded connection. Fire it from the head,
     * {@code channel.pipeline().fireUserEventTriggered(UpgradedEvent.INSTANCE)}: the guard sits
     * before the router.
     */
    public static final class UpgradedEvent {
        public static final UpgradedEvent INSTANCE = new UpgradedEvent();

        private UpgradedEvent() {
        }
    }

    /**
     * Arms {@code phase}'s deadline. Cheap by design, since it runs on every request: it only
     * records the phase and its due time. One wheel timeout per connection is pending at most;
     * when it fires early (the deadline moved later meanwhile) it re-arms for the rest, so a busy
     * keep-alive connection costs a wheel operation per deadline period, not two per request.
     */
    private void arm(Phase phase, Duration after) {
        long millis = after.toMillis();
        if (millis <= 0 || upgraded) {
            armed = null;
            return;
        }
        armed = phase;
        dueNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        if (!deadline.pending() || deadline.due() - dueNanos > 0) {
            deadline.arm(TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    /** No deadline runs; a pending expiry is left to come and find nothing to do. */
    private void disarm() {
        armed = null;
    }

    /** The connection is gone or left HTTP: take the expiry off the wheel too. */
    private void cancelTimer() {
        deadline.disarm();
    }

    private void fired() {
        Phase phase = armed;
        if (phase == null || !ctx.channel().isActive()) {
            return;
        }
        long remainingNanos = dueNanos - System.nanoTime();
        if (remainingNanos > 0) {
            deadline.arm(remainingNanos);
            return;
        }
        armed = null;
        if (phase.counted != null) {
            server.metrics().timedOut(phase.counted);
        }
        ctx.close();
    }

    /** The guard's one entry on the wheel; it checks the armed deadline when it expires. */
    private final class Expiry extends Deadline {
        void arm(long delayNanos) {
            schedule(server.wheel(ctx.executor()), delayNanos);
        }

        boolean pending() {
            return isScheduled();
        }

        long due() {
            return dueNanos();
        }

        void disarm() {
            cancel();
        }

        @Override
        protected void expired() {
            fired();
        }
    }

    @Override
    public String toString() {
        return "RequestGuardHandler[inRequest=" + inRequest + ", outstanding=" + outstanding + ", refused=" + refused
                + ", bodySeen=" + bodySeen + "/" + bodyLimit + "]";
    }
}
