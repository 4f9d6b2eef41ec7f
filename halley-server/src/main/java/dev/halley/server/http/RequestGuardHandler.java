package dev.halley.server.http;

import dev.halley.core.CloseReason;
import dev.halley.core.ReplyError;
import dev.halley.server.HalleyConfig;
import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * The edge of every HTTP connection, between the codec and the aggregator. It refuses, with a
 * JSON error and {@code Connection: close}:
 * <ul>
 *   <li>request lines over the limit (414), header blocks over the limit (431), undecodable requests (400);</li>
 *   <li>requests with both {@code Content-Length} and {@code Transfer-Encoding} (a smuggling
 *       vector, RFC 9112 §6.3), and compressed request bodies (400);</li>
 *   <li>bodies over the route's limit, by declared length at once, by counted bytes as they come (413).</li>
 * </ul>
 * and enforces deadlines on the shared timer: headers within {@code header-timeout} of the first
 * byte (or of connect), the body within {@code body-timeout}, and {@code idle-timeout} between
 * keep-alive requests. Deadlines are not running while a response is being held or streamed.
 */
public final class RequestGuardHandler extends ChannelDuplexHandler {
    private final ServerContext server;
    private final HalleyConfig config;
    private ChannelHandlerContext ctx;
    private Timeout deadline;
    private boolean inRequest;
    private boolean discarding;
    private boolean responding;
    private boolean upgraded;
    private long bodyLimit;
    private long bodySeen;

    public RequestGuardHandler(ServerContext server) {
        this.server = server;
        this.config = server.config();
    }

    /** Goes before the HTTP codec: notices the first raw byte of a request to start the header deadline. */
    public ChannelInboundHandlerAdapter firstByteWatcher() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (!inRequest && !responding && msg instanceof ByteBuf b && b.isReadable()) {
                    inRequest = true;
                    arm(config.headerTimeout().toMillis());
                }
                c.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        server.metrics().connectionOpened();
        arm(config.headerTimeout().toMillis());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.metrics().connectionClosed();
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discarding) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            inRequest = true;
            String refusal = refuse(req);
            if (refusal != null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            bodyLimit = req.uri().startsWith("/api/") ? config.maxPublishBody() : config.maxClientBody();
            bodySeen = 0;
            long declared = HttpUtil.getContentLength(req, -1L);
            if (declared > bodyLimit) {
                ReferenceCountUtil.release(msg);
                reject(ReplyError.TOO_LARGE, "The body is larger than " + bodyLimit + " bytes.");
                return;
            }
            if (msg instanceof LastHttpContent) {
                requestComplete();
            } else {
                arm(config.bodyTimeout().toMillis());
            }
        } else if (msg instanceof HttpContent content) {
            bodySeen += content.content().readableBytes();
            if (bodySeen > bodyLimit) {
                ReferenceCountUtil.release(msg);
                reject(ReplyError.TOO_LARGE, "The body is larger than " + bodyLimit + " bytes.");
                return;
            }
            if (msg instanceof LastHttpContent) {
                requestComplete();
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Returns a reason (and answers) when the request must be refused before its body is read. */
    private String refuse(HttpRequest req) {
        DecoderResult r = req.decoderResult();
        if (r.isFailure()) {
            Throwable c = r.cause();
            if (c instanceof TooLongHttpLineException) {
                reject(ReplyError.URI_TOO_LONG, "The request line is longer than " + config.maxInitialLine() + " bytes.");
            } else if (c instanceof TooLongHttpHeaderException || c instanceof TooLongFrameException) {
                reject(ReplyError.HEADERS_TOO_LARGE, "The headers are larger than " + config.maxHeaderSize() + " bytes.");
            } else {
                reject(ReplyError.BAD_REQUEST, "The request is not valid HTTP/1.1.");
            }
            return "decoder";
        }
        if (req.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            reject(ReplyError.BAD_REQUEST, "A request may not carry both Content-Length and Transfer-Encoding.");
            return "smuggling";
        }
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            reject(ReplyError.BAD_REQUEST, "Compressed request bodies are not accepted.");
            return "encoding";
        }
        return null;
    }

    private void requestComplete() {
        inRequest = false;
        responding = true;
        disarm();
    }

    /** Answers with a JSON error, closes the connection and drops whatever else it sends. */
    private void reject(ReplyError error, String message) {
        discarding = true;
        disarm();
        server.metrics().error(error);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(error.httpStatus()),
                Unpooled.wrappedBuffer(ErrorBody.of(error, message)));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        NoCacheHeaders.apply(res.headers());
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            ctx.write(msg, promise.unvoid()).addListener(f -> {
                responding = false;
                if (!inRequest && ctx.channel().isActive()) {
                    arm(config.idleTimeout().toMillis());
                }
            });
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof UpgradedEvent) {
            upgraded = true;
            disarm();
            // The connection is no longer HTTP: the first-byte watch would arm a header deadline on
            // the first frame, and this handler would no longer see the connection close.
            if (ctx.pipeline().get(HttpPipeline.FIRST_BYTE) != null) {
                ctx.pipeline().remove(HttpPipeline.FIRST_BYTE);
            }
            ctx.channel().closeFuture().addListener(f -> server.metrics().connectionClosed());
            ctx.pipeline().remove(this);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Fired (through the whole pipeline) once a connection leaves HTTP (WebSocket): the guard
     * and its first-byte watch step aside; the guard still counts the connection's close.
     */
    public static final class UpgradedEvent {
        public static final UpgradedEvent INSTANCE = new UpgradedEvent();

        private UpgradedEvent() {
        }
    }

    private void arm(long millis) {
        disarm();
        // After an upgrade, a write listener of the last HTTP response (the 101) may still run.
        if (millis <= 0 || upgraded) {
            return;
        }
        deadline = server.timer().newTimeout(t -> ctx.executor().execute(() -> expired(t)), millis, TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }

    private void expired(Timeout fired) {
        if (deadline != fired || !ctx.channel().isActive()) {
            return;
        }
        deadline = null;
        server.metrics().closed(CloseReason.NORMAL);
        ctx.close();
    }
}
