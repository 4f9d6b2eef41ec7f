package dev.halley.server.http;

import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP/1.1 side of one connection in one pipeline handler: Netty's request decoder and
 * response encoder, with what {@link io.netty.handler.codec.http.HttpServerCodec} adds (the
 * request methods remembered for the answers to {@code HEAD} and {@code CONNECT}, a bound of
 * {@value #MAX_PIPELINE_DEPTH} pipelined requests), and the connection's request guard
 * ({@link RequestGuard}, which this handler is) between decoding and the router: it sees the raw
 * bytes (the header deadline starts at the first one), every decoded object, and every answer
 * written.
 *
 * <p><b>Memory.</b> One handler (one pipeline context) instead of the codec, a first-byte watch
 * and a guard, and the same object is the guard's deadline and answer listener. The decoder and
 * encoder, with their buffers, are lent by small pools of the event loop only while they work:
 * the decoder while a request is read, the encoder while an answer's head is encoded. The body
 * of a streamed answer (a chunked response) is framed here, chunk by chunk, as Netty's encoder
 * would frame it; so a parked long-poll, an open stream and an idle keep-alive connection hold
 * neither.
 *
 * <p><b>Leaving HTTP.</b> When a WebSocket upgrade removes this handler, the guard stops and
 * bytes the decoder still held (a client that did not wait for the 101) go on down the pipeline.
 */
public final class HttpCodecHandler extends RequestGuard implements ChannelInboundHandler, PassThroughOutbound {
    /** Requests decoded ahead of their answers before the connection is refused (as {@code HttpServerCodec}). */
    static final int MAX_PIPELINE_DEPTH = 128;

    private static final byte METHOD_HEAD = 1;
    private static final byte METHOD_CONNECT = 2;
    private static final byte METHOD_OTHER = 3;
    /** Two bits per request in {@link #methodQueue}. */
    private static final int INLINE_METHODS = Long.SIZE / 2;

    /** How the body of the answer being streamed is framed, after its head. */
    private static final byte NO_BODY = 0;
    private static final byte CHUNKED = 1;
    /** As it is: an HTTP/1.0 client, which the end of the connection tells where the body ends. */
    private static final byte RAW = 2;
    /** None may be sent ({@code HEAD}, 1xx, 204, 304): dropped. */
    private static final byte EMPTY = 3;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private final Codecs codecs;
    /** Lent by {@link #codecs} while a request is read; null between requests. */
    private RequestDecoder decoder;
    /** Methods of decoded requests not answered yet, two bits each, oldest lowest. */
    private long methodQueue;
    private int methodQueueSize;
    private Queue<Byte> methodOverflow;
    /** How the body of the answer in progress goes, once its head is written. */
    private byte body = NO_BODY;
    private boolean mustCloseAfterResponse;
    /** Over the pipelining bound: the rest of the input is skipped. */
    private boolean discard;

    public HttpCodecHandler(ServerContext server, Codecs codecs) {
        super(server);
        this.codecs = codecs;
    }

    // ---- inbound ---------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        added(ctx);
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
        active();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (dropping()) {
            bytes.release();
            return;
        }
        bytes(bytes.isReadable());
        RequestDecoder d = decoder;
        if (d == null) {
            d = decoder = codecs.decoder(ctx.executor(), this);
        }
        d.channelRead(ctx, msg);
        // Handed back between requests; not if the handler left meanwhile (the upgrade released it),
        // nor after a failure (then the connection closes with it).
        if (decoder == d && !ctx.isRemoved() && !discard && betweenRequests() && !d.holdsBytes()) {
            decoder = null;
            codecs.give(ctx.executor(), d);
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
            gone();
        } else {
            gone();
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
        gone();
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
            if (accept(o)) {
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
            p.addListener(this);
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
        if (body != NO_BODY && msg instanceof HttpContent content && !(msg instanceof HttpMessage)) {
            writeBody(ctx, content, promise);
            return;
        }
        boolean streamingHead = msg instanceof HttpMessage && !(msg instanceof LastHttpContent);
        // Decided on the head as it comes, as the encoder decides (before it sanitises the headers).
        boolean chunked = streamingHead && HttpUtil.isTransferEncodingChunked((HttpMessage) msg);
        ResponseEncoder e = codecs.encoder(ctx.executor(), this);
        e.write(ctx, msg, promise);
        if (streamingHead) {
            // The encoder now waits for this answer's body, which is framed here: it is not lent again.
            body = e.alwaysEmpty ? EMPTY : chunked ? CHUNKED : RAW;
        } else {
            codecs.give(ctx.executor(), e);
        }
    }

    /**
     * A piece of a streamed answer's body, framed as Netty's {@link HttpResponseEncoder} frames it:
     * a chunk is its length in hex, CRLF, the bytes, CRLF (an empty one is written as nothing);
     * the last chunk is {@code 0}, CRLF, CRLF. Streams here carry no trailers.
     */
    private void writeBody(ChannelHandlerContext ctx, HttpContent content, ChannelPromise promise) {
        boolean last = content instanceof LastHttpContent;
        ByteBuf data = content.content();
        byte mode = body;
        if (last) {
            body = NO_BODY;
            if (!((LastHttpContent) content).trailingHeaders().isEmpty()) {
                content.release();
                promise.tryFailure(new IllegalStateException("trailers are not written in a streamed answer"));
                return;
            }
        }
        if (mode == EMPTY || mode == RAW && !data.isReadable()) {
            content.release();
            ctx.write(Unpooled.EMPTY_BUFFER, promise);
        } else if (mode == RAW) {
            ctx.write(data, promise);
        } else if (!data.isReadable()) {
            if (last) {
                content.release();
                ctx.write(Unpooled.wrappedBuffer(LAST_CHUNK), promise);
            } else {
                ctx.write(data, promise);
            }
        } else {
            CompositeByteBuf chunk = ctx.alloc().compositeBuffer(4);
            ByteBuf size = ctx.alloc().buffer(10);
            size.writeCharSequence(Integer.toHexString(data.readableBytes()), StandardCharsets.US_ASCII);
            size.writeBytes(CRLF);
            chunk.addComponent(true, size);
            chunk.addComponent(true, data);
            chunk.addComponent(true, Unpooled.wrappedBuffer(CRLF));
            if (last) {
                chunk.addComponent(true, Unpooled.wrappedBuffer(LAST_CHUNK));
            }
            ctx.write(chunk, promise);
        }
    }

    @Override
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
        return "HttpCodecHandler[" + guardState() + (decoder != null ? ", reading" : "") + (body != NO_BODY ? ", streaming" : "")
                + ", " + (ctx() != null ? ctx().channel() : "") + "]";
    }

    // ---- the lent codecs -------------------------------------------------------------------

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

    /** Netty's response encoder, lent to one connection for one answer's head (or whole answer). */
    static final class ResponseEncoder extends HttpResponseEncoder {
        private HttpCodecHandler owner;
        /** The method of the request the answer being encoded is for. */
        private byte methodFlag;
        /** The answer just encoded may have no body. */
        private boolean alwaysEmpty;

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
                alwaysEmpty = super.isContentAlwaysEmpty(msg);
                return alwaysEmpty;
            }
            methodFlag = owner.pollMethod();
            alwaysEmpty = methodFlag == METHOD_HEAD || super.isContentAlwaysEmpty(msg);
            return alwaysEmpty;
        }
    }

    /**
     * The idle request decoders and response encoders of a server, a few per event loop. A decoder
     * comes back only between requests (its parser at the start of a message, no bytes held), an
     * encoder only after a whole answer; so the next connection to take one starts clean. The
     * pools are bounded; the rest are left to the GC.
     */
    public static final class Codecs {
        /** Idle decoders (and encoders) kept per event loop. */
        static final int PER_LOOP = 64;

        private final HttpDecoderConfig config;
        private final Map<EventExecutor, Idle> idle = new ConcurrentHashMap<>();

        /** @param config the decoder's limits; not changed afterwards */
        public Codecs(HttpDecoderConfig config) {
            this.config = config;
        }

        /** One event loop's idle codecs; used on that loop only. */
        private static final class Idle {
            final ArrayDeque<RequestDecoder> decoders = new ArrayDeque<>(PER_LOOP);
            final ArrayDeque<ResponseEncoder> encoders = new ArrayDeque<>(PER_LOOP);
        }

        RequestDecoder decoder(EventExecutor loop, HttpCodecHandler owner) {
            RequestDecoder d = idle(loop).decoders.pollLast();
            if (d == null) {
                d = new RequestDecoder(config);
            }
            d.owner = owner;
            return d;
        }

        void give(EventExecutor loop, RequestDecoder d) {
            d.owner = null;
            ArrayDeque<RequestDecoder> pool = idle(loop).decoders;
            if (pool.size() < PER_LOOP) {
                pool.addLast(d);
            }
        }

        ResponseEncoder encoder(EventExecutor loop, HttpCodecHandler owner) {
            ResponseEncoder e = idle(loop).encoders.pollLast();
            if (e == null) {
                e = new ResponseEncoder();
            }
            e.owner = owner;
            e.methodFlag = METHOD_OTHER;
            return e;
        }

        void give(EventExecutor loop, ResponseEncoder e) {
            e.owner = null;
            ArrayDeque<ResponseEncoder> pool = idle(loop).encoders;
            if (pool.size() < PER_LOOP) {
                pool.addLast(e);
            }
        }

        private Idle idle(EventExecutor loop) {
            Idle i = idle.get(loop);
            return i != null ? i : idle.computeIfAbsent(loop, l -> new Idle());
        }
    }
}
