package dev.halley.server;

import dev.halley.core.Broker;
import dev.halley.core.BrokerProvider;
import dev.halley.core.Hub;
import dev.halley.server.http.Cors;
import dev.halley.server.http.HttpPipeline;
import dev.halley.server.http.Json;
import dev.halley.server.http.Route;
import dev.halley.server.http.ShutdownEvent;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Halley server: one Netty server (native epoll where available, NIO otherwise) with
 * every door on one port, over one {@link Hub}. Start with {@link #start(HalleyConfig)}; publish
 * from the host application through {@link #hub()}; stop with {@link #close()} (graceful).
 */
public final class HalleyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HalleyServer.class);
    /** Netty's default for socket channels (epoll and NIO alike). */
    private static final int MAX_MESSAGES_PER_READ = 16;

    private final HalleyConfig config;
    private final Hub hub;
    private final boolean ownsBroker;
    private final ServerContext context;
    private final HashedWheelTimer timer;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Connections connections;
    private final Channel serverChannel;
    private final String ioTransport;
    private final Timeout sweeper;
    private volatile boolean shuttingDown;
    private volatile boolean closed;

    private HalleyServer(HalleyConfig config, Broker given, Map<String, Function<ServerContext, Route>> extraRoutes)
            throws InterruptedException {
        this.config = config;
        this.ownsBroker = given == null;
        this.hub = new Hub(ownsBroker ? createBroker(config) : given);
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("halley-timer", true), 50, TimeUnit.MILLISECONDS, 1024);
        this.context = new ServerContext(config, hub, new Metrics(), timer, new Json(config.maxJsonDepth()),
                new Cors(config.corsOrigins()), () -> shuttingDown);
        this.connections = new Connections(context.metrics());

        IoHandlerFactory io;
        Class<? extends ServerChannel> channelClass;
        boolean wantEpoll = !config.transport().equals("nio");
        if (wantEpoll && Epoll.isAvailable()) {
            io = EpollIoHandler.newFactory();
            channelClass = EpollServerSocketChannel.class;
            ioTransport = "epoll";
        } else {
            if (config.transport().equals("epoll")) {
                throw new IllegalStateException("transport=epoll but native epoll is unavailable", Epoll.unavailabilityCause());
            }
            String why = wantEpoll ? "native epoll unavailable: " + Epoll.unavailabilityCause() : "transport=nio requested";
            log.info("Using NIO ({})", why);
            io = NioIoHandler.newFactory();
            channelClass = NioServerSocketChannel.class;
            ioTransport = "nio";
        }
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("halley-accept"), io);
        this.workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("halley-io"), io);

        Map<String, Route> routes = Routes.standard(context);
        extraRoutes.forEach((path, f) -> routes.put(path, f.apply(context)));
        HttpPipeline pipeline = new HttpPipeline(context, routes, connections::accept);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                // One allocator for every connection (each still gets its own handle): Netty's default
                // is a new one per channel, 32 bytes more per idle connection. Same settings as that default.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(MAX_MESSAGES_PER_READ))
                .childHandler(pipeline);
        this.serverChannel = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
        this.sweeper = timer.newTimeout(this::sweep, 60, TimeUnit.SECONDS);
        log.info("Halley listening on {}:{} ({}, broker={})", config.host(), port(), ioTransport, config.broker());
    }

    /** Starts a server with the standard routes. */
    public static HalleyServer start(HalleyConfig config) throws InterruptedException {
        return new HalleyServer(config, null, Map.of());
    }

    /**
     * Starts a server with extra routes of the host application (on-board embedding): the web
     * server is the Comet server.
     */
    public static HalleyServer start(HalleyConfig config, Map<String, Function<ServerContext, Route>> extraRoutes)
            throws InterruptedException {
        return new HalleyServer(config, null, new LinkedHashMap<>(extraRoutes));
    }

    /**
     * Starts a server on a broker the caller owns (the {@code broker} setting is not used):
     * {@link #close()} leaves it open, so a server stopped and started again on the same broker,
     * an in-memory one included, keeps every channel's history and epoch, and clients resume
     * across the restart as across any reconnect. The broker must accept a new
     * {@link Broker#start} from each server built on it ({@link InMemoryBroker} does).
     */
    public static HalleyServer start(HalleyConfig config, Broker broker, Map<String, Function<ServerContext, Route>> extraRoutes)
            throws InterruptedException {
        return new HalleyServer(config, Objects.requireNonNull(broker, "broker"), new LinkedHashMap<>(extraRoutes));
    }

    /** The broker named by {@code broker}, from whichever module on the class path provides it (see {@link BrokerProvider}). */
    private static Broker createBroker(HalleyConfig config) {
        return BrokerProvider.open(config.brokerConfig());
    }

    /** Once a minute: forget empty registrations and idle channels. */
    private void sweep(Timeout t) {
        if (!closed) {
            hub.sweep();
            hub.broker().sweep();
            timer.newTimeout(this::sweep, 60, TimeUnit.SECONDS);
        }
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public Hub hub() {
        return hub;
    }

    public HalleyConfig config() {
        return config;
    }

    public Metrics metrics() {
        return context.metrics();
    }

    /** {@code epoll} or {@code nio}. */
    public String ioTransport() {
        return ioTransport;
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * Graceful shutdown: stop accepting, tell every client to reconnect (streams get a
     * reconnect notice and end, long-polls answer at once, WebSockets close with 1001), wait up
     * to {@code shutdown-grace} for connections to drain, then close the rest and release
     * everything. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        shuttingDown = true;
        log.info("Shutting down: {} connections open", connections.size());
        serverChannel.close().syncUninterruptibly();
        for (Channel ch : connections.snapshot()) {
            ch.pipeline().fireUserEventTriggered(ShutdownEvent.INSTANCE);
        }
        // Clients were told to go; give them the grace period to finish and close.
        connections.awaitClosed(config.shutdownGrace().toMillis());
        connections.closeAll(2000);
        closed = true;
        sweeper.cancel();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        timer.stop();
        if (ownsBroker) {
            hub.close();
        }
        log.info("Halley stopped");
    }

    @Override
    public String toString() {
        return "HalleyServer[port=" + (serverChannel.isOpen() ? port() : -1) + ", io=" + ioTransport + ", connections="
                + connections.size() + ", " + hub + (shuttingDown ? ", shutting down" : "") + "]";
    }
}
