package dev.halley.broker.redis;

import dev.halley.core.Broker;
import dev.halley.core.BrokerConfig;
import dev.halley.core.ChannelPattern;
import dev.halley.core.HalleyException;
import dev.halley.core.HistorySlice;
import dev.halley.core.LiveSubscriptions;
import dev.halley.core.Message;
import dev.halley.core.Position;
import dev.halley.core.ReplyError;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Broker} on Redis, standalone or Cluster (contract on {@link Broker}).
 *
 * <ul>
 *   <li><b>Sequencer.</b> One Redis function per namespace ({@code P_publish}, see
 *       {@code library.lua}) assigns a channel's next offset, appends to its history with the
 *       count and age bounds, and publishes to the channel's pub/sub subscribers, in one atomic
 *       step. Back ends may call it directly (docs/clustering.md).</li>
 *   <li><b>Epoch.</b> Kept in the channel's state hash with the {@code run_id} of the Redis that
 *       wrote it. A channel that is new, idle past its expiry, or last written by another Redis
 *       process (a restart or failover: its copy may be behind what clients saw) starts a new
 *       epoch with empty history. So a restart reports a gap to resuming clients even when Redis
 *       persisted everything: the price of never naming two messages with one position.</li>
 *   <li><b>Live fan-out.</b> Over Redis pub/sub, subscribed only for the channels and wildcards
 *       this node has subscribers for ({@code SUBSCRIBE P:C}, {@code PSUBSCRIBE P:base*}). What
 *       arrives goes through {@link LiveSubscriptions}: repeats dropped, runs lost live repaired
 *       from history by offset continuity.</li>
 *   <li><b>Redis away.</b> Commands fail fast ({@link HalleyException} {@code UNAVAILABLE} at
 *       once when disconnected, after 1.5 s when Redis hangs). On reconnect the broker reloads its
 *       functions (a restarted Redis has none), re-subscribes, and checks every followed channel
 *       against history.</li>
 * </ul>
 */
public final class RedisBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    private static final byte[] TOP = RedisNames.bytes(Long.toString(Long.MAX_VALUE));
    private static final byte[] ALL = RedisNames.bytes(Integer.toString(Integer.MAX_VALUE));

    private final BrokerConfig config;
    private final RedisNames names;
    private final String libraryCode;
    private final RedisLink link;
    private volatile LiveSubscriptions live;

    /** Connects to Redis at {@code config.uri()} and loads the namespace's functions; see {@link RedisLink#connect}. */
    public RedisBroker(BrokerConfig config) {
        this.config = config;
        this.names = new RedisNames(config.prefix());
        this.libraryCode = names.libraryCode(config);
        this.link = RedisLink.connect(config.uri(), new ConnectionEvents());
        try {
            link.loadLibrary(libraryCode).toCompletableFuture().get(RedisLink.COMMAND_TIMEOUT.toMillis() * 2,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            link.close();
            throw new IllegalStateException("Could not load Halley's functions into Redis at " + config.uri() + ": " + e, e);
        }
    }

    @Override
    public void start(Listener listener) {
        live = new LiveSubscriptions("redis", listener, new PubSub(), (channel, after) -> read(channel, after, Integer.MAX_VALUE),
                System::currentTimeMillis);
        link.pubSub().addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                onLive(channel, message);
            }

            @Override
            public void message(byte[] pattern, byte[] channel, byte[] message) {
                onLive(channel, message);
            }
        });
    }

    private void onLive(byte[] pubSubChannel, byte[] entry) {
        String channel = names.channelOfPubSub(pubSubChannel);
        if (channel == null) {
            return;
        }
        try {
            live.offer(RedisNames.entry(channel, entry));
        } catch (RuntimeException e) {
            LOG.warn("Ignoring a pub/sub message on {} that is not a Halley entry", channel);
        }
    }

    // ---- publish and history --------------------------------------------------------------

    @Override
    public CompletionStage<Message> publish(String channel, byte[] data) {
        return call(names.publishFunction(), names.keys(channel), data).thenApply(reply -> {
            String epoch = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
            return new Message(channel, epoch, (Long) reply.get(1), (Long) reply.get(2), data);
        });
    }

    @Override
    public CompletionStage<HistorySlice> history(String channel, long after, int limit) {
        return live.ready(channel).thenCompose(v -> read(channel, after, limit));
    }

    @Override
    public CompletionStage<HistorySlice> historySince(String channel, long time) {
        return history(channel, 0, Integer.MAX_VALUE).thenApply(all -> all.since(time));
    }

    /** One read of the history function: {@code {epoch, top, first, entries…}}. */
    private CompletionStage<HistorySlice> read(String channel, long after, int limit) {
        byte[] afterArg = after == Long.MAX_VALUE ? TOP : RedisNames.bytes(Long.toString(after));
        byte[] limitArg = limit == Integer.MAX_VALUE ? ALL : RedisNames.bytes(Integer.toString(limit));
        return call(names.historyFunction(), names.keys(channel), afterArg, limitArg).thenApply(reply -> {
            String epoch = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
            List<Message> messages = new ArrayList<>(reply.size() - 3);
            for (int i = 3; i < reply.size(); i++) {
                messages.add(RedisNames.entry(channel, (byte[]) reply.get(i)));
            }
            return new HistorySlice(channel, epoch, (Long) reply.get(1), (Long) reply.get(2), messages);
        });
    }

    /**
     * Calls one of the namespace's functions. A Redis that restarted empty has lost them: they are
     * loaded again and the call repeated once. Every failure becomes {@code UNAVAILABLE}.
     */
    private CompletionStage<List<Object>> call(String function, byte[][] keys, byte[]... args) {
        Supplier<CompletionStage<List<Object>>> once = () -> link.commands().fcall(function, ScriptOutputType.MULTI, keys, args);
        return guard(once.get().exceptionallyCompose(e -> isMissingFunction(e)
                ? link.loadLibrary(libraryCode).thenCompose(v -> once.get())
                : CompletableFuture.failedFuture(e)));
    }

    private static boolean isMissingFunction(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() != null && t.getMessage().contains("Function not found");
    }

    private static <T> CompletionStage<T> guard(CompletionStage<T> stage) {
        return stage.exceptionallyCompose(e -> {
            LOG.debug("Redis call failed", e);
            return CompletableFuture.failedFuture(new HalleyException(ReplyError.UNAVAILABLE,
                    "The broker (Redis) could not be reached; try again shortly."));
        });
    }

    @Override
    public CompletionStage<Collection<String>> channels(ChannelPattern pattern) {
        ScanArgs args = ScanArgs.Builder.matches(names.scanMatch(pattern)).limit(1000);
        Set<String> found = new LinkedHashSet<>();
        return guard(scan(link.commands().scan(args), args, pattern, found));
    }

    private CompletionStage<Collection<String>> scan(CompletionStage<KeyScanCursor<byte[]>> page, ScanArgs args,
            ChannelPattern pattern, Set<String> found) {
        return page.thenCompose(cursor -> {
            for (byte[] key : cursor.getKeys()) {
                String channel = names.channelOfStateKey(key);
                if (pattern.matches(channel)) {
                    found.add(channel);
                }
            }
            if (cursor.isFinished()) {
                return CompletableFuture.completedFuture(List.copyOf(found));
            }
            // The cursor itself, not its string: in a Cluster it also says which node the scan is on.
            return scan(link.commands().scan(cursor, args), args, pattern, found);
        });
    }

    // ---- subscriptions ----------------------------------------------------------------------

    @Override
    public void subscribe(ChannelPattern pattern) {
        live.subscribe(pattern);
    }

    @Override
    public void unsubscribe(ChannelPattern pattern) {
        live.unsubscribe(pattern);
    }

    /** Pub/sub: {@code SUBSCRIBE P:C} per channel, {@code PSUBSCRIBE P:base*} per wildcard. */
    private final class PubSub implements LiveSubscriptions.Engine {
        @Override
        public CompletionStage<Void> subscribe(ChannelPattern pattern) {
            return guard(pattern.isWildcard()
                    ? link.pubSub().async().psubscribe(names.glob(pattern))
                    : link.pubSub().async().subscribe(names.pubSub(pattern.base())));
        }

        @Override
        public void unsubscribe(ChannelPattern pattern) {
            if (pattern.isWildcard()) {
                link.pubSub().async().punsubscribe(names.glob(pattern));
            } else {
                link.pubSub().async().unsubscribe(names.pubSub(pattern.base()));
            }
        }

        @Override
        public CompletionStage<Position> top(String channel) {
            return read(channel, Long.MAX_VALUE, 0).thenApply(HistorySlice::top);
        }
    }

    /**
     * Connection events of both connections (and, in a Cluster, of each node connection). After a
     * reconnect the functions are loaded again at once (a restarted Redis has none; calls would
     * load them anyway), and the subscriptions renewed.
     */
    private final class ConnectionEvents implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            LiveSubscriptions l = live;
            if (l != null) {
                l.disconnected();
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            LiveSubscriptions l = live;
            if (l != null && l.isDisconnected()) {
                link.loadLibrary(libraryCode);
                l.reconnected();
            }
        }
    }

    @Override
    public void sweep() {
        if (live != null) {
            live.sweep(config.history().idleExpiry().toMillis());
        }
    }

    @Override
    public void close() {
        if (live != null) {
            live.close();
        }
        link.close();
    }

    @Override
    public String toString() {
        return "RedisBroker[" + config.uri() + ", prefix=" + names.prefix() + ", " + live + "]";
    }
}
