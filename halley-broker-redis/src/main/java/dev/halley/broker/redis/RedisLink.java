package dev.halley.broker.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A broker's two connections to Redis, standalone or Cluster: one for commands, one for pub/sub.
 * Both fail fast while Redis is away (commands are rejected when disconnected and time out after
 * {@link #COMMAND_TIMEOUT}) and reconnect by themselves, at most {@link #MAX_RECONNECT_DELAY}
 * apart.
 */
final class RedisLink implements AutoCloseable {
    static final Duration COMMAND_TIMEOUT = Duration.ofMillis(1500);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final AutoCloseable commandConnection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
    private final boolean cluster;

    private RedisLink(ClientResources resources, AbstractRedisClient client, AutoCloseable commandConnection,
            RedisClusterAsyncCommands<byte[], byte[]> commands, StatefulRedisPubSubConnection<byte[], byte[]> pubSub,
            boolean cluster) {
        this.resources = resources;
        this.client = client;
        this.commandConnection = commandConnection;
        this.commands = commands;
        this.pubSub = pubSub;
        this.cluster = cluster;
    }

    /**
     * Connects to {@code redis://host:port[/db]} (also {@code rediss://}, with a password as
     * {@code redis://:secret@host}) or {@code redis-cluster://host:port[,host:port…]}; throws
     * {@link IllegalStateException} when Redis cannot be reached.
     */
    static RedisLink connect(String uri, RedisConnectionStateListener events) {
        ClientResources resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        try {
            return uri.startsWith("redis-cluster://") ? cluster(uri, resources, events) : standalone(uri, resources, events);
        } catch (RuntimeException e) {
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("Redis at " + uri + " cannot be reached: " + e.getMessage(), e);
        }
    }

    private static RedisLink standalone(String uri, ClientResources resources, RedisConnectionStateListener events) {
        RedisURI target = RedisURI.create(uri);
        target.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(resources, target);
        client.setOptions(failFast(ClientOptions.builder()).build());
        client.addListener(events);
        try {
            StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            StatefulRedisPubSubConnection<byte[], byte[]> pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            return new RedisLink(resources, client, connection, connection.async(), pubSub, false);
        } catch (RuntimeException e) {
            client.shutdown(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static RedisLink cluster(String uri, ClientResources resources, RedisConnectionStateListener events) {
        List<RedisURI> seeds = new ArrayList<>();
        for (String hostPort : uri.substring("redis-cluster://".length()).split(",")) {
            RedisURI seed = RedisURI.create("redis://" + hostPort.trim());
            seed.setTimeout(COMMAND_TIMEOUT);
            seeds.add(seed);
        }
        RedisClusterClient client = RedisClusterClient.create(resources, seeds);
        client.setOptions(failFast(ClusterClientOptions.builder()).build());
        client.addListener(events);
        try {
            StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            // Classic pub/sub: a PUBLISH on any shard reaches subscribers on every node.
            StatefulRedisPubSubConnection<byte[], byte[]> pubSub = client.connectPubSub(ByteArrayCodec.INSTANCE);
            return new RedisLink(resources, client, connection, connection.async(), pubSub, true);
        } catch (RuntimeException e) {
            client.shutdown(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Both kinds of client fail fast while Redis is away: commands are refused at once when
     * disconnected and time out after {@link #COMMAND_TIMEOUT}, so a publish answers 503 in time.
     */
    private static <B extends ClientOptions.Builder> B failFast(B builder) {
        builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build());
        return builder;
    }

    /** Commands; in a Cluster they go to the shard of their first key. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return commands;
    }

    StatefulRedisPubSubConnection<byte[], byte[]> pubSub() {
        return pubSub;
    }

    /** Loads (replacing) a function library on every master. */
    CompletionStage<Void> loadLibrary(String code) {
        if (!cluster) {
            return commands.functionLoad(code, true).thenApply(name -> null);
        }
        var masters = ((io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands<byte[], byte[]>) commands)
                .masters().commands().functionLoad(code, true);
        return CompletableFuture.allOf(masters.futures());
    }

    @Override
    public void close() {
        try {
            pubSub.close();
            commandConnection.close();
        } catch (Exception e) {
            // closing anyway
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
