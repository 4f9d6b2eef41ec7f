package dev.halley.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generator's event loops (native epoll, NIO where unavailable) and the source addresses its
 * connections are spread over: a loopback target is reached from 127.0.0.1, 127.0.0.2, … in
 * turn, so that more than the ~28k ephemeral ports of one address can be used.
 */
public final class Loops implements AutoCloseable {
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final String transport;
    private final List<InetAddress> sources;
    private final AtomicInteger next = new AtomicInteger();

    public Loops(int threads, int sourceAddresses, InetSocketAddress target) {
        IoHandlerFactory io;
        if (Epoll.isAvailable()) {
            io = EpollIoHandler.newFactory();
            channelClass = EpollSocketChannel.class;
            transport = "epoll";
        } else {
            io = NioIoHandler.newFactory();
            channelClass = NioSocketChannel.class;
            transport = "nio";
        }
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-io", true), io);
        sources = target.getAddress() != null && target.getAddress().isLoopbackAddress()
                ? loopbackSources(sourceAddresses) : List.of();
    }

    private static List<InetAddress> loopbackSources(int n) {
        List<InetAddress> list = new ArrayList<>();
        for (int i = 1; i <= Math.max(1, n); i++) {
            try {
                list.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return list;
    }

    /** A bootstrap for one new connection, bound to the next source address in turn. */
    public Bootstrap bootstrap() {
        Bootstrap b = new Bootstrap().group(group).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        if (!sources.isEmpty()) {
            b.localAddress(new InetSocketAddress(sources.get(Math.floorMod(next.getAndIncrement(), sources.size())), 0));
        }
        return b;
    }

    public EventLoopGroup group() {
        return group;
    }

    public String transport() {
        return transport;
    }

    public int sourceCount() {
        return Math.max(1, sources.size());
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
