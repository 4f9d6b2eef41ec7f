package dev.halley.broker.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/** Removes what one namespace (a test's broker prefix) left in a Redis: its keys and its function library. */
public final class RedisNamespace {
    private RedisNamespace() {
    }

    public static void drop(String uri, String prefix) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> redis = c.sync();
            ScanArgs match = ScanArgs.Builder.matches(prefix + ":*").limit(1000);
            KeyScanCursor<String> cursor = redis.scan(match);
            while (true) {
                if (!cursor.getKeys().isEmpty()) {
                    redis.del(cursor.getKeys().toArray(String[]::new));
                }
                if (cursor.isFinished()) {
                    break;
                }
                cursor = redis.scan(ScanCursor.of(cursor.getCursor()), match);
            }
            try {
                redis.dispatch(io.lettuce.core.protocol.CommandType.FUNCTION,
                        new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                        new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("DELETE").add("halley_" + prefix));
            } catch (RuntimeException e) {
                // never loaded
            }
        } finally {
            client.shutdown();
        }
    }
}
