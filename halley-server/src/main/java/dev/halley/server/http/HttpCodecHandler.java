package dev.halley.server.http;

import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP/1.1 side of one connection in one pipeline handler: Netty's request decoder and
 * response encoder, with what {@link io.netty.handler.codec.http.HttpServerCodec} adds (the
 * request methods remembered for the answers to {@code HEAD} and {@code CONNECT}, a bound of
 * {@value #MAX_PIPELINE_DEPTH} pipelined requests), and the connection's {@link RequestGuard}
 * between decoding and the router, which sees the raw bytes (the header deadline starts at the
 * first one), every decoded object, and every answer written.
 *
 * <p><b>Memory.</b> One handler (one pipeline context) instead of the codec, a first-byte watch
 * and a guard; and a decoder only while a request is being read. Between requests (a parked
 * long-poll, an open stream, an idle keep-alive connection) the decoder, with its parser buffers,
 * goes back to a small pool of its event loop, and the next request's first byte takes one.
 *
 * <p><b>Leaving HTTP.</b> When a WebSocket upgrade removes this handler, the guard stops and
 * bytes the decoder still held (a client that did not wait for the 101) go on down the pipeline.
 */
public final class HttpCodecHandler extends HttpResponseEncoder implements ChannelInboundHandler {
    /** Requests decoded ahead of their answers before the connection is refused (as {@code HttpServerCodec}). */
    static final int MAX_PIPELINE_DEPTH = 128;

    private static final byte METHOD_HEAD = 1;
    private static final byte METHOD_CONNECT = 2;
    private static final byte METHOD_OTHER = 3;
    /** Two bits per request in {@link #methodQueue}. */
    private static final int INLINE_METHODS = Long.SIZE / 2;

    private final Decoders decoders;
    private final RequestGuard guard;
    private ChannelHandlerContext ctx;
    /** Lent by {@link #decoders} while a request is read; null between requests. */
    private RequestDecoder decoder;
    /** Methods of decoded requests not answered yet, two bits each, oldest lowest. */
    private long methodQueue;
    private int methodQueueSize;
    private Queue<Byte> methodOverflow;
    /** The method of the request the response being encoded answers. */
    private byte methodFlag;
    private boolean mustCloseAfterResponse;
    /** Over the pipelining bound: the rest of the input is skipped. */
    private boolean discard;

    public HttpCodecHandler(ServerContext server, Decoders decoders) {
        this.decoders = decoders;
        this.guard = new RequestGuard(server, this);
    }

    // ---- inbound ---------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        guard.added(ctx);
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        guard.active();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (guard.dropping()) {
            bytes.release();
            return;
        }
        guard.bytes(bytes.isReadable());
        RequestDecoder d = decoder;
        if (d == null) {
            d = decoder = decoders.take(ctx.executor(), this);
        }
        d.channelRead(ctx, msg);
        // Handed back between requests; not if the handler left meanwhile (the upgrade released it),
        // nor after a failure (then the connection closes with it).
        if (decoder == d && !ctx.isRemoved() && !discard && guard.betweenRequests() && !d.holdsBytes()) {
            decoder = null;
            decoders.give(ctx.executor(), d);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (decoder != null) {
            decoder.channelReadComplete(ctx);
        } else {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        RequestDecoder d = decoder;
        if (d != null) {
            decoder = null;
            // What a half-read request leaves goes to the guard (and on) first, as the codec always did.
            d.channelInactive(ctx);
            guard.gone();
        } else {
            guard.gone();
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (decoder != null) {
            decoder.userEventTriggered(ctx, evt);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    @SuppressWarnings("deprecation")
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        guard.gone();
        RequestDecoder d = decoder;
        if (d != null) {
            decoder = null;
            d.handlerRemoved(ctx); // bytes it held go on down the pipeline
        }
    }

    /** Objects the decoder produced from index {@code from} on: methods remembered, then each through the guard. */
    private void decoded(List<Object> out, int from) {
        for (int i = from; i < out.size(); ) {
            Object o = out.get(i);
            if (o instanceof HttpRequest req && !enqueueMethod(req.method())) {
                // As HttpServerCodec: drop everything and close once the first answer is written.
                mustCloseAfterResponse = true;
                discard = true;
                while (out.size() > i) {
                    ReferenceCountUtil.release(out.remove(out.size() - 1));
                }
                throw new IllegalStateException("maxPipelineDepth exceeded: " + MAX_PIPELINE_DEPTH);
            }
            if (guard.accept(o)) {
                i++;
            } else {
                out.remove(i);
            }
        }
    }

    // ---- outbound --------------------------------------------------------------------------

    /** Encodes an answer; the last write of a (non-informational) answer tells the guard when it is out. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof LastHttpContent && !isInformational(msg)) {
            ChannelPromise p = promise.unvoid();
            encode(ctx, msg, p);
            p.addListener(guard);
            return;
        }
        encode(ctx, msg, promise);
    }

    /** A 100 Continue or a 101 is not the answer to a request. */
    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private void encode(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (mustCloseAfterResponse && msg instanceof LastHttpContent) {
            mustCloseAfterResponse = false;
            promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
        }
        super.write(ctx, msg, promise);
    }

    /** The guard's own answer (a refusal): encoded and flushed, not counted as the answer to a request. */
    ChannelFuture writeOwn(ChannelHandlerContext ctx, HttpResponse res) {
        ChannelPromise p = ctx.newPromise();
        try {
            encode(ctx, res, p);
        } catch (Exception e) {
            p.tryFailure(e);
        }
        ctx.flush();
        return p;
    }

    @Override
    protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
        if (!isAlwaysEmpty && methodFlag == METHOD_CONNECT && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
            // A successful CONNECT answer has no body framing (RFC 9110 section 9.3.6).
            msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            return;
        }
        super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return super.isContentAlwaysEmpty(msg);
        }
        methodFlag = pollMethod();
        return methodFlag == METHOD_HEAD || super.isContentAlwaysEmpty(msg);
    }

    private boolean enqueueMethod(HttpMethod method) {
        int depth = methodQueueSize + (methodOverflow != null ? methodOverflow.size() : 0);
        if (depth >= MAX_PIPELINE_DEPTH) {
            return false;
        }
        byte flag = HttpMethod.HEAD.equals(method) ? METHOD_HEAD : HttpMethod.CONNECT.equals(method) ? METHOD_CONNECT : METHOD_OTHER;
        if (methodOverflow != null) {
            methodOverflow.add(flag);
        } else if (methodQueueSize < INLINE_METHODS) {
            methodQueue |= (long) flag << (methodQueueSize << 1);
            methodQueueSize++;
        } else {
            methodOverflow = new ArrayDeque<>(4);
            methodOverflow.add(flag);
        }
        return true;
    }

    private byte pollMethod() {
        if (methodQueueSize != 0) {
            byte flag = (byte) (methodQueue & 0x3L);
            methodQueue >>>= 2;
            methodQueueSize--;
            return flag;
        }
        if (methodOverflow != null) {
            Byte flag = methodOverflow.poll();
            if (methodOverflow.isEmpty()) {
                methodOverflow = null;
            }
            return flag != null ? flag : METHOD_OTHER;
        }
        return METHOD_OTHER;
    }

    @Override
    public String toString() {
        return "HttpCodecHandler[" + guard + (decoder != null ? ", reading" : "") + ", " + (ctx != null ? ctx.channel() : "") + "]";
    }

    // ---- decoders --------------------------------------------------------------------------

    /** Netty's request decoder, lent to one connection at a time. */
    static final class RequestDecoder extends HttpRequestDecoder {
        private HttpCodecHandler owner;

        RequestDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (owner.discard) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            int from = out.size();
            super.decode(ctx, buffer, out);
            owner.decoded(out, from);
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            super.handleTransferEncodingChunkedWithContentLength(message);
            owner.mustCloseAfterResponse = true;
        }

        /** Whether bytes of a next request wait in its buffer. */
        boolean holdsBytes() {
            return internalBuffer().isReadable();
        }
    }

    /**
     * The idle request decoders of a server, a few per event loop. A decoder is handed back only
     * between requests (its parser at the start of a message, no bytes held), so the next
     * connection to take it starts clean; the pool is bounded, the rest are left to the GC.
     */
    public static final class Decoders {
        /** Idle decoders kept per event loop. */
        static final int PER_LOOP = 64;

        private final HttpDecoderConfig config;
        private final Map<EventExecutor, ArrayDeque<RequestDecoder>> idle = new ConcurrentHashMap<>();

        /** @param config the decoder's limits; not changed afterwards */
        public Decoders(HttpDecoderConfig config) {
            this.config = config;
        }

        RequestDecoder take(EventExecutor loop, HttpCodecHandler owner) {
            RequestDecoder d = pool(loop).pollLast();
            if (d == null) {
                d = new RequestDecoder(config);
            }
            d.owner = owner;
            return d;
        }

        void give(EventExecutor loop, RequestDecoder d) {
            d.owner = null;
            ArrayDeque<RequestDecoder> pool = pool(loop);
            if (pool.size() < PER_LOOP) {
                pool.addLast(d);
            }
        }

        private ArrayDeque<RequestDecoder> pool(EventExecutor loop) {
            ArrayDeque<RequestDecoder> pool = idle.get(loop);
            return pool != null ? pool : idle.computeIfAbsent(loop, l -> new ArrayDeque<>(PER_LOOP));
        }
    }
}
