package dev.halley.server.transport.stream;

import dev.halley.server.EventLoops;
import dev.halley.server.ServerContext;
import io.netty.channel.Channel;
import io.netty.util.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * The writability of one connection, watched for the response that streams on it:
 * {@code onWritable} runs when the socket drains again, and {@code onStuck} when it stays
 * unwritable for {@code unwritable-timeout} after the response {@linkplain #unwritable() found it
 * so}. Both run on the connection's event loop as new tasks (writability can change inside the
 * response's own flush); the response checks its state, since either may come just after it
 * ended.
 *
 * <p>The response hears of writability changes from its exchange
 * ({@link dev.halley.server.http.HttpExchange.Holder#writabilityChanged()}, which the router
 * passes on) and hands them to {@link #changed()}. It makes its watch only when it first meets an
 * unwritable socket, so a stream whose client keeps up holds none.
 */
public final class WritabilityWatch {
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

    /** The socket's writability changed. */
    public void changed() {
        if (channel.isWritable()) {
            cancel();
            run(onWritable);
        } else {
            unwritable();
        }
    }

    /** The response stopped writing because the socket is unwritable: the timeout runs unless it already does. */
    public void unwritable() {
        if (stuck == null) {
            stuck = server.timer().newTimeout(t -> run(() -> expired(t)),
                    server.config().unwritableTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching: cancels the timeout. Idempotent. */
    public void release() {
        cancel();
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
