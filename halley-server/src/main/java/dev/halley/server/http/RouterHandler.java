package dev.halley.server.http;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayDeque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches complete requests to {@link Route}s by path, one exchange at a time per
 * connection: a pipelined request waits (bounded) until the previous answer is written, so a
 * client always gets one ordered stream of responses. Checks the origin allow-list and answers
 * CORS preflights before any route runs. An exception in a route answers 500 and closes this
 * connection only.
 */
public final class RouterHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RouterHandler.class);
    /** Pipelined requests held while one is in progress. */
    static final int MAX_PIPELINED = 8;
    /** A route key ending in this suffix serves its base path and every path under it. */
    public static final String PREFIX_MARK = "/**";

    private final ServerContext server;
    private final Map<String, Route> routes;
    /** Pipelined requests; made on the first one, as most connections never pipeline. */
    private ArrayDeque<FullHttpRequest> waiting;
    private HttpExchange current;

    public RouterHandler(ServerContext server, Map<String, Route> routes) {
        this.server = server;
        this.routes = routes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
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
        HttpExchange ex = new HttpExchange(ctx, server, req, done -> next(ctx, done));
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
        String key = routeKey(path);
        Route r = key == null ? null : routes.get(key);
        server.metrics().request(r == null ? "unknown" : key);
        String origin = ex.origin();
        if (!server.cors().allows(origin, ex.header(HttpHeaderNames.HOST))) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Origin " + origin + " is not allowed.");
        }
        if (r == null) {
            throw new HalleyException(ReplyError.NOT_FOUND, "No such path: " + path);
        }
        if (ex.method().equals(HttpMethod.OPTIONS) && ex.header(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD) != null
                && !r.answersPreflight()) {
            ex.send(HttpResponseStatus.NO_CONTENT, null, Unpooled.EMPTY_BUFFER,
                    h -> server.cors().decoratePreflight(origin, h));
            return;
        }
        r.handle(ex);
    }

    /**
     * The route key for {@code path}: the path itself when a route has exactly it, else the
     * longest prefix route ({@code "/sockjs/**"} matches {@code /sockjs} and everything under it).
     */
    private String routeKey(String path) {
        if (routes.containsKey(path)) {
            return path;
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

    private void next(ChannelHandlerContext ctx, HttpExchange done) {
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

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
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
