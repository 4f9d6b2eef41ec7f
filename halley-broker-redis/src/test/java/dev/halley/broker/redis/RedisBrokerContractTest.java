package dev.halley.broker.redis;

import dev.halley.core.Broker;
import dev.halley.core.BrokerConfig;
import dev.halley.core.BrokerContract;
import dev.halley.core.HistoryLimits;
import dev.halley.core.testing.EngineProcess;
import dev.halley.core.testing.Engines;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeAll;

/** The broker contract on the shared Redis at 127.0.0.1:6379, each test in a namespace of its own, removed after. */
class RedisBrokerContractTest extends BrokerContract {

    @BeforeAll
    static void redis() {
        Engines.requireRedis();
    }

    @Override
    protected Broker node(String namespace, HistoryLimits limits, LongSupplier clock) {
        return new RedisBroker(new BrokerConfig(Engines.REDIS, namespace, limits, 1 << 20));
    }

    @Override
    protected boolean clustered() {
        return true;
    }

    /** A node of a private Redis that is then killed. */
    @Override
    protected Broker unreachable(HistoryLimits limits) {
        Engines.requireCommand("redis-server");
        try (EngineProcess redis = EngineProcess.redis()) {
            Broker broker = new RedisBroker(new BrokerConfig(redis.uri(), "down", limits, 1 << 20));
            redis.kill();
            return broker;
        }
    }

    @Override
    protected MessageTime messageTime() {
        return MessageTime.ENGINE;
    }

    @Override
    protected void cleanUp(String namespace) {
        RedisNamespace.drop(Engines.REDIS, namespace);
    }
}
