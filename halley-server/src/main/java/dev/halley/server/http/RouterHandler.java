package dev.halley.server.http;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches complete requests to {@link Route}s by path, one exchange at a time per
 * connection: a pipelined request waits (bounded) until the previous answer is written, so a
 * client always gets one ordered stream of responses. Checks the origin allow-list and answers
 * CORS preflights before any route runs. An exception in a route answers 500 and closes this
 * connection only.
 *
 * <p>It gathers each request whole first, as Netty's {@code HttpObjectAggregator} would in a
 * handler of its own (a pipeline context more on every held connection): the head and its body
 * chunks become one {@link FullHttpRequest}; {@code Expect: 100-continue} is answered with
 * {@code 100 Continue}, any other expectation with {@code 417} (the body is then dropped). The
 * guard before it has already bounded the body by the route's limit.
 */
public final class RouterHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RouterHandler.class);
    /** Pipelined requests held while one is in progress. */
    static final int MAX_PIPELINED = 8;
    /** Body chunks gathered before they are consolidated (HttpObjectAggregator's default). */
    private static final int MAX_COMPONENTS = 1024;
    /** A route key ending in this suffix serves its base path and every path under it. */
    public static final String PREFIX_MARK = "/**";

    private static final FullHttpResponse CONTINUE = expectationAnswer(HttpResponseStatus.CONTINUE);
    private static final FullHttpResponse EXPECTATION_FAILED = expectationAnswer(HttpResponseStatus.EXPECTATION_FAILED);
    private static final FullHttpResponse TOO_LARGE = expectationAnswer(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);

    /** The routes and what goes with them, one for all the server's connections. */
    private final Table table;
    /** The request being gathered, its body still coming; null between requests. */
    private FullHttpRequest gathering;
    /** A request head was seen and its body is dropped (its expectation was refused), or gathered. */
    private boolean inRequest;
    /** Pipelined requests; made on the first one, as most connections never pipeline. */
    private ArrayDeque<FullHttpRequest> waiting;
    private HttpExchange current;

    public RouterHandler(Table table) {
        this.table = table;
    }

    /** A server's routes by path, shared by its connections' routers. */
    public static final class Table {
        private final ServerContext server;
        private final Map<String, Route> routes;
        /** Each route key, to itself: a held exchange keeps the key's string, not a copy per request. */
        private final Map<String, String> keys = new HashMap<>();
        /** The largest body gathered (the guard refuses larger ones first, by route). */
        private final int maxBody;

        public Table(ServerContext server, Map<String, Route> routes) {
            this.server = server;
            this.routes = Map.copyOf(routes);
            routes.keySet().forEach(k -> keys.put(k, k));
            this.maxBody = Math.max(server.config().maxPublishBody(), server.config().maxClientBody());
        }

        /**
         * The route key for {@code path}: the path itself when a route has exactly it, else the
         * longest prefix route ({@code "/sockjs/**"} matches {@code /sockjs} and everything under it).
         */
        String routeKey(String path) {
            String exact = keys.get(path);
            if (exact != null) {
                return exact;
            }
            String best = null;
            for (String key : routes.keySet()) {
                if (key.endsWith(PREFIX_MARK) && (best == null || key.length() > best.length())) {
                    String base = key.substring(0, key.length() - PREFIX_MARK.length());
                    if (path.equals(base) || path.startsWith(base + "/")) {
                        best = key;
                    }
                }
            }
            return best;
        }
    }

    private static FullHttpResponse expectationAnswer(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return r;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof FullHttpRequest req) {
            received(ctx, req);
        } else if (msg instanceof HttpRequest head) {
            start(ctx, head);
        } else if (msg instanceof HttpContent chunk && inRequest) {
            try {
                gather(ctx, chunk);
            } finally {
                chunk.release();
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    // ---- gathering a request ---------------------------------------------------------------

    /** A request head: its expectation answered, its gathering begun (as HttpObjectAggregator does). */
    private void start(ChannelHandlerContext ctx, HttpRequest head) {
        inRequest = true;
        if (gathering != null) {
            gathering.release();
            gathering = null;
            throw new IllegalStateException("a request head while another request's body was coming");
        }
        FullHttpResponse answer = expectationAnswer(ctx, head);
        if (answer != null) {
            head.headers().remove(HttpHeaderNames.EXPECT);
            ctx.writeAndFlush(answer.retainedDuplicate()).addListener(f -> {
                if (!f.isSuccess()) {
                    ctx.fireExceptionCaught(f.cause());
                }
            });
            if (answer != CONTINUE) {
                return; // the body is dropped; the client may send its next request
            }
        } else if (HttpUtil.getContentLength(head, -1L) > table.maxBody) {
            // Unreachable past the guard (it refuses a body over its route's limit first); never gather one.
            ReferenceCountUtil.release(head);
            ctx.close();
            return;
        }
        HttpUtil.setTransferEncodingChunked(head, false);
        CompositeByteBuf body = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
        gathering = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), body, head.headers(),
                DefaultHttpHeadersFactory.trailersFactory().newHeaders());
        ReferenceCountUtil.release(head);
    }

    /** The answer a request's {@code Expect} header calls for, or null (none, or none to answer). */
    private FullHttpResponse expectationAnswer(ChannelHandlerContext ctx, HttpRequest head) {
        if (isUnsupportedExpectation(head)) {
            ctx.pipeline().fireUserEventTriggered(HttpExpectationFailedEvent.INSTANCE);
            return EXPECTATION_FAILED;
        }
        if (HttpUtil.is100ContinueExpected(head)) {
            if (HttpUtil.getContentLength(head, -1L) <= table.maxBody) {
                return CONTINUE;
            }
            ctx.pipeline().fireUserEventTriggered(HttpExpectationFailedEvent.INSTANCE);
            return TOO_LARGE;
        }
        return null;
    }

    /** An {@code Expect} other than {@code 100-continue} on HTTP/1.1 or later (as Netty's HttpUtil decides, package-private there). */
    private static boolean isUnsupportedExpectation(HttpRequest head) {
        if (head.protocolVersion().compareTo(HttpVersion.HTTP_1_1) < 0) {
            return false;
        }
        String expect = head.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && !HttpHeaderValues.CONTINUE.toString().equalsIgnoreCase(expect);
    }

    /** A body chunk (released by the caller): added to the request, which goes to its route when it is the last. */
    private void gather(ChannelHandlerContext ctx, HttpContent chunk) {
        FullHttpRequest req = gathering;
        boolean last = chunk instanceof LastHttpContent;
        if (last) {
            inRequest = false;
        }
        if (req == null) {
            return; // dropped: its expectation was refused
        }
        if (chunk.content().isReadable()) {
            ((CompositeByteBuf) req.content()).addComponent(true, chunk.content().retain());
        }
        if (last) {
            req.trailingHeaders().set(((LastHttpContent) chunk).trailingHeaders());
            if (!HttpUtil.isContentLengthSet(req)) {
                req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
            }
            gathering = null;
            received(ctx, req);
        }
    }

    private void releaseGathering() {
        inRequest = false;
        if (gathering != null) {
            gathering.release();
            gathering = null;
        }
    }

    // ---- dispatching -------------------------------------------------------------------------

    /** A whole request: to its route now, or after the answer in progress. */
    private void received(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (current != null) {
            if (waiting == null) {
                waiting = new ArrayDeque<>(MAX_PIPELINED);
            }
            if (waiting.size() >= MAX_PIPELINED) {
                req.release();
                ctx.close();
                return;
            }
            waiting.add(req);
            return;
        }
        dispatch(ctx, req);
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest req) {
        HttpExchange ex = new HttpExchange(ctx, this, req);
        current = ex;
        try {
            route(ex);
        } catch (HalleyException e) {
            if (!ex.hasResponded()) {
                ex.sendError(e);
            }
        } catch (Exception e) {
            log.warn("route failed on {}: {}", ctx.channel(), e.toString(), e);
            if (!ex.hasResponded()) {
                ex.sendError(ReplyError.INTERNAL, "An internal error closed this connection.");
            }
            ctx.close();
        } finally {
            ex.handled();
            req.release();
        }
    }

    private void route(HttpExchange ex) throws Exception {
        ex.decodeTarget();
        String path = ex.path();
        String key = table.routeKey(path);
        Route r = key == null ? null : table.routes.get(key);
        if (path.equals(key)) {
            ex.pathIs(key);
        }
        table.server.metrics().request(r == null ? "unknown" : key);
        String origin = ex.origin();
        if (!table.server.cors().allows(origin, ex.header(HttpHeaderNames.HOST))) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Origin " + origin + " is not allowed.");
        }
        if (r == null) {
            throw new HalleyException(ReplyError.NOT_FOUND, "No such path: " + path);
        }
        if (ex.method().equals(HttpMethod.OPTIONS) && ex.header(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD) != null
                && !r.answersPreflight()) {
            ex.send(HttpResponseStatus.NO_CONTENT, null, Unpooled.EMPTY_BUFFER,
                    h -> table.server.cors().decoratePreflight(origin, h));
            return;
        }
        r.handle(ex);
    }

    ServerContext server() {
        return table.server;
    }

    /** {@code done} is answered (or left HTTP): the next pipelined request may go. */
    void done(HttpExchange done) {
        ChannelHandlerContext ctx = done.ctx();
        if (current != done) {
            return;
        }
        current = null;
        // Run the next pipelined request after the current call stack unwinds.
        if (waiting != null && !waiting.isEmpty()) {
            ctx.executor().execute(() -> {
                if (current == null && !waiting.isEmpty() && !ctx.isRemoved()) {
                    FullHttpRequest req = waiting.poll();
                    if (ctx.channel().isActive()) {
                        dispatch(ctx, req);
                    } else {
                        req.release();
                    }
                }
            });
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ShutdownEvent) {
            if (current != null) {
                current.shutdown();
            } else {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The exchange in progress (a stream) may be waiting for the socket to drain. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        HttpExchange ex = current;
        if (ex != null) {
            ex.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // A request still gathering needs more reads even when auto-read is off (netty#6583).
        if (gathering != null && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (inRequest) {
            log.debug("{} closed while a request was coming", ctx.channel());
        }
        releaseGathering();
        HttpExchange ex = current;
        current = null;
        if (ex != null) {
            ex.connectionClosed();
        }
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    /** The connection left HTTP (WebSocket upgrade): requests pipelined behind the upgrade are void. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseGathering();
        releaseWaiting();
    }

    private void releaseWaiting() {
        FullHttpRequest r;
        while (waiting != null && (r = waiting.poll()) != null) {
            r.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing {} after {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
