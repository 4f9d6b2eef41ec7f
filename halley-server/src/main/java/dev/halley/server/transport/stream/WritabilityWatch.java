package dev.halley.server.transport.stream;

import dev.halley.server.EventLoops;
import dev.halley.server.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * The writability of one connection, watched for the response that streams on it: while
 * {@linkplain #install() installed} (a pipeline handler), {@code onWritable} runs when the socket
 * drains again, and {@code onStuck} when it stays unwritable for {@code unwritable-timeout} after
 * the response {@linkplain #unwritable() found it so}. Both run on the connection's event loop as
 * new tasks (writability can change inside the response's own flush); the response checks its
 * state, since either may come just after it ended.
 */
public final class WritabilityWatch extends ChannelInboundHandlerAdapter {
    /** Name of the pipeline handler; one streaming response per connection at a time. */
    static final String NAME = "stream-writability";

    private final ServerContext server;
    private final Channel channel;
    private final Runnable onWritable;
    private final Runnable onStuck;
    private Timeout stuck;

    public WritabilityWatch(ServerContext server, Channel channel, Runnable onWritable, Runnable onStuck) {
        this.server = server;
        this.channel = channel;
        this.onWritable = onWritable;
        this.onStuck = onStuck;
    }

    /** Starts reporting writability changes. */
    public void install() {
        channel.pipeline().addLast(NAME, this);
    }

    /** The response stopped writing because the socket is unwritable: the timeout runs unless it already does. */
    public void unwritable() {
        if (stuck == null) {
            stuck = server.timer().newTimeout(t -> run(() -> expired(t)),
                    server.config().unwritableTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching: cancels the timeout and leaves the pipeline. Idempotent. */
    public void release() {
        cancel();
        if (channel.pipeline().context(this) != null) {
            channel.pipeline().remove(this);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        if (c.channel().isWritable()) {
            cancel();
            run(onWritable);
        } else {
            unwritable();
        }
        c.fireChannelWritabilityChanged();
    }

    private void expired(Timeout fired) {
        if (stuck != fired) {
            return;
        }
        stuck = null;
        if (!channel.isWritable()) {
            onStuck.run();
        }
    }

    private void cancel() {
        if (stuck != null) {
            stuck.cancel();
            stuck = null;
        }
    }

    private void run(Runnable task) {
        EventLoops.execute(channel.eventLoop(), task);
    }

    @Override
    public String toString() {
        return "WritabilityWatch[" + channel + (stuck != null ? ", unwritable" : "") + "]";
    }
}
