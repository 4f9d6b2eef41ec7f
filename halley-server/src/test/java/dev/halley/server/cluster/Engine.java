package dev.halley.server.cluster;

import dev.halley.broker.nats.NatsNamespace;
import dev.halley.broker.redis.RedisNamespace;
import dev.halley.core.testing.Engines;

/** The shared engines a cluster of nodes can run over, with what each test needs of them. */
public enum Engine {
    REDIS(Engines.REDIS),
    NATS(Engines.NATS);

    private final String uri;

    Engine(String uri) {
        this.uri = uri;
    }

    public String uri() {
        return uri;
    }

    /** Skips (or with {@code CI=true} fails) when the engine is not running. */
    public void require() {
        if (this == REDIS) {
            Engines.requireRedis();
        } else {
            Engines.requireNats();
        }
    }

    /** Removes what the namespace {@code prefix} left in the engine at {@code uri}. */
    public static void drop(String uri, String prefix) {
        if (uri.startsWith("nats://")) {
            NatsNamespace.drop(uri, prefix);
        } else {
            RedisNamespace.drop(uri, prefix);
        }
    }
}
