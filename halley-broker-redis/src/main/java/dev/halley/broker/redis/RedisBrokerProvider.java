package dev.halley.broker.redis;

import dev.halley.core.Broker;
import dev.halley.core.BrokerConfig;
import dev.halley.core.BrokerProvider;

/** Provides {@link RedisBroker} for {@code redis://}, {@code rediss://} and {@code redis-cluster://} URIs. */
public final class RedisBrokerProvider implements BrokerProvider {
    @Override
    public boolean accepts(String uri) {
        return uri.startsWith("redis://") || uri.startsWith("rediss://") || uri.startsWith("redis-cluster://");
    }

    @Override
    public Broker create(BrokerConfig config) {
        return new RedisBroker(config);
    }
}
