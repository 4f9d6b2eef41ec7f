package dev.halley.bench.jmh;

import dev.halley.core.Cursor;
import dev.halley.core.Message;
import dev.halley.core.Position;
import dev.halley.server.http.Json;
import dev.halley.server.http.ScriptSafe;
import dev.halley.server.transport.stream.ScriptCalls;
import dev.halley.server.transport.stream.StreamFraming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What one message costs on each wire shape, per message ({@code …FirstBuild}: the once-per-publish
 * part, on a message nothing has encoded yet) or per subscriber (the rest: the shared encoding is
 * cached on the message and only the per-client part is paid). The payload is a 114-byte chat
 * line ({@link Payloads#CHAT}); the message JSON around it is 181 bytes.
 *
 * <p>Stream framings write into one reused pooled buffer, as {@code StreamingResponse} writes into
 * a pooled chunk, so the allocation figures are the framing's own. The WebSocket frame goes
 * through Netty's {@link WebSocket13FrameEncoder} on an {@link EmbeddedChannel}; the encoded
 * buffers are read back and released in the benchmark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EncodingBenchmark {
    private StreamFraming ndjson;
    private StreamFraming sse;
    private ScriptCalls scriptCalls;
    /** A message every shape has already encoded once: what the 2nd…Nth subscriber sees. */
    private Message warm;
    /** Source of fresh messages for the first-build benchmarks. */
    private long offset;
    /** One client's cursor before {@link #warm} (one channel), and right after it. */
    private Cursor before;
    private Cursor after;
    /** Stands for the pooled chunk a stream writes into; cleared per call, released at the end. */
    private ByteBuf out;
    private EmbeddedChannel webSocket;

    @Setup(Level.Trial)
    public void setUp() {
        ndjson = Framings.ndjson();
        sse = Framings.sse();
        scriptCalls = new ScriptCalls("parent.halley");
        offset = 1_000_000;
        warm = Payloads.message(1);
        before = new Cursor(Map.of(Payloads.CHANNEL, new Position(Payloads.EPOCH, 0)), 1735689600000L);
        after = before.advance(warm);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
        webSocket = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        ndjsonLine();
        sseEvent();
        scriptCall();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        webSocket.finishAndReleaseAll();
    }

    /** {@link Message#json()} on a message not yet encoded (includes making the message, as the broker does). */
    @Benchmark
    public byte[] jsonFirstBuild() {
        return Payloads.message(++offset).json();
    }

    /** {@link Message#json()} once built: a volatile read. */
    @Benchmark
    public byte[] jsonCached() {
        return warm.json();
    }

    /** The NDJSON line of a message not yet encoded: JSON, the cached line and the message's slot table. */
    @Benchmark
    public ByteBuf ndjsonLineFirstBuild() {
        out.clear();
        ndjson.message(Payloads.message(++offset), null, out);
        return out;
    }

    /** The NDJSON line per subscriber: a copy of the cached line into the chunk. */
    @Benchmark
    public ByteBuf ndjsonLine() {
        out.clear();
        ndjson.message(warm, null, out);
        return out;
    }

    /**
     * A batch of one message on the NDJSON stream, as a fan-out of single publishes sends it: the
     * line and the batch's {@code {"cursor":"…"}} line, which is per client.
     */
    @Benchmark
    public ByteBuf ndjsonBatchOfOne() {
        out.clear();
        ndjson.message(warm, null, out);
        ndjson.cursor(after, out);
        return out;
    }

    /** The SSE event per subscriber: this client's cursor advanced past the message and encoded as the {@code id:}, then the cached {@code data:}. */
    @Benchmark
    public ByteBuf sseEvent() {
        out.clear();
        sse.message(warm, before.advance(warm), out);
        return out;
    }

    /** {@link ScriptSafe#escape} of the message JSON for an HTML script block (nothing to escape: a scan, no copy). */
    @Benchmark
    public byte[] scriptSafeEscape() {
        return ScriptSafe.escape(warm.json(), true);
    }

    /** The forever-frame / htmlfile call per subscriber: {@code <script>parent.halley(…);</script>} around the cached safe JSON. */
    @Benchmark
    public ByteBuf scriptCall() {
        out.clear();
        scriptCalls.message(warm, out);
        return out;
    }

    /**
     * The poll answer for a batch of one message, built from the same blocks as the package-private
     * {@code PollTransport.body} (message JSON, encoded cursor, JSON-quoted) in the same way; per
     * request, so per client.
     */
    @Benchmark
    public byte[] pollBody() {
        ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        body.writeBytes("{\"messages\":[".getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(warm.json());
        StringBuilder tail = new StringBuilder(64).append("],\"cursor\":");
        Json.quote(tail, after.encode()).append(",\"recovered\":").append(true).append('}');
        body.writeBytes(tail.toString().getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /**
     * A WebSocket text frame per subscriber, as {@code WebSocketHandler} writes it: the shared JSON
     * wrapped (no copy) in a frame, written with the void promise and encoded by Netty's
     * server-side (unmasked) encoder, which copies a payload this small behind the header into one
     * pooled buffer. Includes the pipeline's write and flush of an {@link EmbeddedChannel}.
     */
    @Benchmark
    public int webSocketFrame() {
        webSocket.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(warm.json())), webSocket.voidPromise());
        webSocket.flushOutbound();
        int bytes = 0;
        ByteBuf encoded;
        while ((encoded = webSocket.readOutbound()) != null) {
            bytes += encoded.readableBytes();
            encoded.release();
        }
        return bytes;
    }
}
