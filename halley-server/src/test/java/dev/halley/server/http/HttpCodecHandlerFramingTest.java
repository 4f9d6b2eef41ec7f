package dev.halley.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.Hub;
import dev.halley.core.InMemoryBroker;
import dev.halley.server.HalleyConfig;
import dev.halley.server.Metrics;
import dev.halley.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.HashedWheelTimer;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Answers leave {@link HttpCodecHandler} byte for byte as they leave Netty's
 * {@link HttpServerCodec}: whole answers, and streamed ones (whose body the handler frames
 * itself), chunked, as they are to an HTTP/1.0 client, and with no body for {@code HEAD}.
 */
class HttpCodecHandlerFramingTest {
    private HashedWheelTimer timer;
    private Hub hub;
    private ServerContext server;

    @BeforeEach
    void setUp() {
        HalleyConfig config = HalleyConfig.defaults();
        timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
        hub = new Hub(new InMemoryBroker(config.historyLimits()));
        server = new ServerContext(config, hub, new Metrics(), timer, new Json(config.maxJsonDepth()),
                new Cors(config.corsOrigins()), () -> false);
    }

    @AfterEach
    void tearDown() {
        timer.stop();
        hub.close();
    }

    @ParameterizedTest(name = "{0} {1}, {2}")
    @CsvSource({
        "GET, HTTP/1.1, stream",
        "GET, HTTP/1.0, stream",
        "HEAD, HTTP/1.1, stream",
        "GET, HTTP/1.1, whole",
        "HEAD, HTTP/1.1, whole",
        "GET, HTTP/1.1, two answers"})
    void answersAreFramedAsNettyFramesThem(String method, String version, String shape) {
        String request = method + " /x HTTP/" + version.substring(5) + "\r\nHost: a\r\n\r\n";
        boolean two = shape.equals("two answers");
        String requests = two ? request + request : request;
        Supplier<List<Object>> answer = () -> switch (shape) {
            case "stream" -> stream(version);
            default -> whole();
        };
        byte[] ours = exchange(new EmbeddedChannel(new HttpCodecHandler(server,
                new HttpCodecHandler.Codecs(HttpPipeline.decoderConfig(server)))), requests, answer, two);
        byte[] netty = exchange(new EmbeddedChannel(new HttpServerCodec()), requests, answer, two);
        assertThat(new String(netty, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(new String(ours, StandardCharsets.ISO_8859_1)).isEqualTo(new String(netty, StandardCharsets.ISO_8859_1));
    }

    /** A chunked (HTTP/1.1) or bare (HTTP/1.0) streamed answer: a head, chunks with an empty one among them, the end. */
    private static List<Object> stream(String version) {
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        if (version.equals("HTTP/1.1")) {
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return List.of(head, content("first"), content(""), content("x".repeat(300)), LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private static List<Object> whole() {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("{\"ok\":true}", StandardCharsets.US_ASCII));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return List.of(r);
    }

    private static DefaultHttpContent content(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    /** Reads the request(s), writes the answer (once per request), returns the bytes written. */
    private static byte[] exchange(EmbeddedChannel ch, String requests, Supplier<List<Object>> answer, boolean two) {
        try {
            ch.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.US_ASCII));
            for (Object in; (in = ch.readInbound()) != null; ) {
                ReferenceCountUtil.release(in);
            }
            for (int i = 0; i < (two ? 2 : 1); i++) {
                for (Object part : answer.get()) {
                    ch.writeOutbound(part);
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                out.writeBytes(bytes);
                b.release();
            }
            return out.toByteArray();
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
