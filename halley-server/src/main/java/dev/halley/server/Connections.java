package dev.halley.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The open connections of a server, counted in {@link Metrics} and reachable for a graceful
 * shutdown. Each connection costs its entry in the set and nothing else: this one object is the
 * listener on every connection's close future (Netty's {@code DefaultChannelGroup} added its own
 * listener next to the metrics', and two listeners on a future take a list of them: about 64
 * bytes more per connection).
 */
public final class Connections implements ChannelFutureListener {
    private final Metrics metrics;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();

    public Connections(Metrics metrics) {
        this.metrics = metrics;
    }

    /** A connection was accepted: counted until it closes, whatever its pipeline becomes. */
    public void accept(Channel ch) {
        open.add(ch);
        metrics.connectionOpened();
        ch.closeFuture().addListener(this);
    }

    /** One connection closed. */
    @Override
    public void operationComplete(ChannelFuture closed) {
        if (open.remove(closed.channel())) {
            metrics.connectionClosed();
        }
    }

    public int size() {
        return open.size();
    }

    /** The connections open now (a copy). */
    public List<Channel> snapshot() {
        return new ArrayList<>(open);
    }

    /** Waits up to {@code millis} for the connections open now to close; returns whether they all did. */
    public boolean awaitClosed(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Channel ch : snapshot()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left)) {
                return open.isEmpty();
            }
        }
        return true;
    }

    /** Closes every connection and waits up to {@code millis} for them. */
    public void closeAll(long millis) {
        for (Channel ch : snapshot()) {
            ch.close();
        }
        awaitClosed(millis);
    }

    @Override
    public String toString() {
        return "Connections[" + open.size() + " open]";
    }
}
