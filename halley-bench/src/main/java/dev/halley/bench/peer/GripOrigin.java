package dev.halley.bench.peer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application behind the Pushpin peer: a small GRIP origin (Netty, one event loop that owns all
 * its state) that Pushpin asks about every client request, and the publisher that hands messages
 * to Pushpin's HTTP control API. It follows Pushpin's advice for reliable long-polling: the origin
 * keeps a short history and clients poll with a {@code since} cursor.
 *
 * <ul>
 *   <li>{@code GET /longpoll?channel=C&since=N}: the messages after N at once, when there are any;
 *       otherwise {@code Grip-Hold: response} on {@code C} with {@code prev-id} set to the last id,
 *       so that Pushpin asks again (and gets the missed messages) when a message it sees does not
 *       follow on from it: one published between this answer and the hold, or while the client was
 *       between polls.</li>
 *   <li>{@code GET /stream?channel=C}: {@code Grip-Hold: stream} on {@code C}, one message per line;
 *       {@code GET /sse?channel=C}: the same on {@code sse:C} in SSE framing ({@code id:}, {@code data:}).</li>
 *   <li>{@code POST /publish} with {@code {"channel","data"}} (or an array of them): each message gets
 *       the channel's next id and is kept; then it goes to Pushpin as one item on {@code C} (formats
 *       {@code http-response} and {@code http-stream}, {@code id} and {@code prev-id}) and, when SSE
 *       clients subscribed, one on {@code sse:C}. Items go out in order, one control request at a
 *       time (what queued meanwhile goes in the next), and the publisher's request is answered 200
 *       once Pushpin accepted its items.</li>
 * </ul>
 *
 * <p>A message reaches subscribers as the line {@code {"id":N,"channel":"C","data":…}}.
 */
public final class GripOrigin implements AutoCloseable {
    /** Publishes waiting for Pushpin at most (messages); past it a publish is answered 503 and counted. */
    static final int MAX_QUEUED = 10_000;
    /** Items per control request at most. */
    static final int MAX_ITEMS_PER_FORWARD = 500;
    static final String SSE_PREFIX = "sse:";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> clientChannel;
    private Channel server;
    private final InetSocketAddress pushpinControl;
    private final int holdSeconds;
    private final int historyPerChannel;
    private final long loopThreadId;
    /** Event loop only. */
    private final Map<String, ChannelLog> logs = new HashMap<>();
    /** Event loop only: publishes waiting to be forwarded, in order. */
    private final java.util.ArrayDeque<Pending> queue = new java.util.ArrayDeque<>();
    private int queuedItems;
    private boolean forwarding;

    private final AtomicLong immediateAnswers = new AtomicLong();
    private final AtomicLong holds = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong forwards = new AtomicLong();
    private final AtomicLong forwardErrors = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong historyGaps = new AtomicLong();

    /** One publish request waiting for Pushpin: its items and the connection to answer. */
    private record Pending(List<ObjectNode> items, int messages, ChannelHandlerContext publisher, boolean keepAlive) {
    }

    private GripOrigin(EventLoopGroup group, Class<? extends SocketChannel> clientChannel,
            InetSocketAddress pushpinControl, int holdSeconds, int historyPerChannel, long loopThreadId) {
        this.group = group;
        this.clientChannel = clientChannel;
        this.pushpinControl = pushpinControl;
        this.holdSeconds = holdSeconds;
        this.historyPerChannel = historyPerChannel;
        this.loopThreadId = loopThreadId;
    }

    /**
     * Starts the origin on a free loopback port.
     *
     * @param pushpinControl    Pushpin's HTTP control API ({@code push_in_http_addr:push_in_http_port})
     * @param holdSeconds       {@code Grip-Timeout} of long-poll holds
     * @param historyPerChannel messages kept per channel for {@code since} polls
     */
    public static GripOrigin start(InetSocketAddress pushpinControl, int holdSeconds, int historyPerChannel)
            throws InterruptedException, java.util.concurrent.ExecutionException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("grip-origin", true), io);
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends SocketChannel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        long threadId = group.next().submit(() -> Thread.currentThread().getId()).get();
        GripOrigin origin = new GripOrigin(group, clientChannel, pushpinControl, holdSeconds, historyPerChannel, threadId);
        origin.server = new ServerBootstrap().group(group).channel(serverChannel)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                origin.new RequestHandler());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        return origin;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** CPU time of the origin's event loop so far (nanoseconds), or -1 where the JVM cannot tell. */
    public long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(loopThreadId);
    }

    /** Counters for the result file. */
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("immediateAnswers", immediateAnswers.get());
        m.put("holds", holds.get());
        m.put("published", published.get());
        m.put("controlRequests", forwards.get());
        m.put("controlErrors", forwardErrors.get());
        m.put("rejected", rejected.get());
        m.put("historyGaps", historyGaps.get());
        m.put("cpuSeconds", cpuNanos() < 0 ? -1 : cpuNanos() / 1e9);
        return m;
    }

    private final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String channel = first(q, "channel");
            boolean get = req.method().equals(HttpMethod.GET);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            switch (q.path()) {
                case "/healthz" -> respond(ctx, plain(HttpResponseStatus.OK, "ok\n"), keepAlive);
                case "/longpoll" -> respond(ctx, get && channel != null ? longPoll(channel, since(q)) : badRequest(), keepAlive);
                case "/stream", "/sse" -> respond(ctx, get && channel != null ? streamHold(channel, q.path().equals("/sse"))
                        : badRequest(), keepAlive);
                case "/publish" -> {
                    if (req.method().equals(HttpMethod.POST)) {
                        publish(ctx, req.content().toString(StandardCharsets.UTF_8), keepAlive);
                    } else {
                        respond(ctx, badRequest(), keepAlive);
                    }
                }
                default -> respond(ctx, plain(HttpResponseStatus.NOT_FOUND, "not found\n"), keepAlive);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String first(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static long since(QueryStringDecoder q) {
        String s = first(q, "since");
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private ChannelLog log(String channel) {
        return logs.computeIfAbsent(channel, c -> new ChannelLog(historyPerChannel));
    }

    /** Missed messages at once, else a response hold that follows on from the last id. */
    private FullHttpResponse longPoll(String channel, long since) {
        ChannelLog log = log(channel);
        List<String> missed = log.after(since);
        if (!missed.isEmpty()) {
            if (since + 1 < log.oldestKept()) {
                historyGaps.incrementAndGet();
            }
            immediateAnswers.incrementAndGet();
            return json(String.join("\n", missed) + "\n");
        }
        holds.incrementAndGet();
        FullHttpResponse r = json("{\"timeout\":true}\n");
        r.headers().set("Grip-Hold", "response")
                .set("Grip-Channel", channel + "; prev-id=" + log.lastId())
                .set("Grip-Timeout", holdSeconds);
        return r;
    }

    private FullHttpResponse streamHold(String channel, boolean sse) {
        FullHttpResponse r = plain(HttpResponseStatus.OK, "");
        if (sse) {
            log(channel).sseSubscribed();
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set("Grip-Channel", SSE_PREFIX + channel)
                    .set("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=25");
        } else {
            r.headers().set("Grip-Channel", channel).set("Grip-Keep-Alive", "\\n; format=cstring; timeout=25");
        }
        r.headers().set("Grip-Hold", "stream");
        return r;
    }

    private void publish(ChannelHandlerContext ctx, String body, boolean keepAlive) {
        List<ObjectNode> items = new ArrayList<>();
        int messages;
        try {
            JsonNode root = JSON.readTree(body);
            List<JsonNode> all = new ArrayList<>();
            if (root != null && root.isArray()) {
                root.forEach(all::add);
            } else {
                all.add(root);
            }
            List<PublishRequest> requests = new ArrayList<>();
            for (JsonNode m : all) {
                requests.add(PublishRequest.parse(JSON.writeValueAsBytes(m)));
            }
            if (queuedItems + requests.size() > MAX_QUEUED) {
                rejected.addAndGet(requests.size());
                respond(ctx, plain(HttpResponseStatus.SERVICE_UNAVAILABLE, "publish queue full\n"), keepAlive);
                return;
            }
            for (PublishRequest p : requests) {
                items.addAll(itemsFor(p));
            }
            messages = requests.size();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            respond(ctx, plain(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n"), keepAlive);
            return;
        }
        queue.add(new Pending(items, messages, ctx, keepAlive));
        queuedItems += messages;
        forwardNext();
    }

    /** Numbers and keeps one message; its Pushpin items. */
    private List<ObjectNode> itemsFor(PublishRequest p) throws JsonProcessingException {
        ChannelLog log = log(p.channel());
        long id = log.nextId();
        String line = "{\"id\":" + id + ",\"channel\":" + JSON.writeValueAsString(p.channel()) + ",\"data\":"
                + JSON.writeValueAsString(p.data()) + "}";
        log.append(id, line);
        published.incrementAndGet();
        // Ids for Pushpin's reliability check (a hold's prev-id against the item's); no-seq because the
        // items already go out in order, so Pushpin need not hold any back to reorder them (its docs' advice).
        ObjectNode item = JSON.createObjectNode().put("channel", p.channel()).put("id", Long.toString(id))
                .put("prev-id", Long.toString(id - 1)).put("no-seq", true);
        ObjectNode formats = item.putObject("formats");
        formats.putObject("http-response").put("body", line + "\n");
        formats.putObject("http-stream").put("content", line + "\n");
        if (!log.hasSse()) {
            return List.of(item);
        }
        ObjectNode sse = JSON.createObjectNode().put("channel", SSE_PREFIX + p.channel());
        sse.putObject("formats").putObject("http-stream").put("content", "id: " + id + "\ndata: " + line + "\n\n");
        return List.of(item, sse);
    }

    /** Sends what is queued to Pushpin unless a control request is in flight (event loop only). */
    private void forwardNext() {
        if (forwarding || queue.isEmpty()) {
            return;
        }
        List<Pending> batch = new ArrayList<>();
        ArrayNode items = JSON.createArrayNode();
        while (!queue.isEmpty() && (batch.isEmpty() || items.size() + queue.peek().items().size() <= MAX_ITEMS_PER_FORWARD)) {
            Pending p = queue.poll();
            queuedItems -= p.messages();
            batch.add(p);
            p.items().forEach(items::add);
        }
        forwarding = true;
        forwards.incrementAndGet();
        ObjectNode body = JSON.createObjectNode();
        body.set("items", items);
        ControlRequest.post(group.next(), clientChannel, pushpinControl, "/publish/", body.toString(), status -> {
            forwarding = false;
            boolean ok = status == 200;
            if (!ok) {
                forwardErrors.incrementAndGet();
            }
            for (Pending p : batch) {
                respond(p.publisher(), ok ? json("{\"ok\":true}\n")
                        : plain(HttpResponseStatus.BAD_GATEWAY, "pushpin answered " + status + "\n"), p.keepAlive());
            }
            forwardNext();
        });
    }

    private static FullHttpResponse json(String body) {
        FullHttpResponse r = plain(HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return r;
    }

    private static FullHttpResponse badRequest() {
        return plain(HttpResponseStatus.BAD_REQUEST, "expected GET with ?channel=, or POST /publish\n");
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(r, content.readableBytes());
        return r;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public String toString() {
        return "GripOrigin[" + address() + " channels=" + logs.size() + " published=" + published.get() + " holds="
                + holds.get() + " immediate=" + immediateAnswers.get() + "]";
    }
}
