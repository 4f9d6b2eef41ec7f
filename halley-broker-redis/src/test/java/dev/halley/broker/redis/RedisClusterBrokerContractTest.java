package dev.halley.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.Broker;
import dev.halley.core.BrokerConfig;
import dev.halley.core.BrokerContract;
import dev.halley.core.HistoryLimits;
import dev.halley.core.testing.EngineProcess;
import dev.halley.core.testing.Engines;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker contract on a private three-shard Redis Cluster ({@code redis-cluster://…}), and
 * how channels spread over the shards by hash slot.
 */
class RedisClusterBrokerContractTest extends BrokerContract {
    private static RedisTestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        Engines.requireCommand("redis-server");
        Engines.requireCommand("redis-cli");
        cluster = new RedisTestCluster();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Broker node(String namespace, HistoryLimits limits, LongSupplier clock) {
        return new RedisBroker(new BrokerConfig(cluster.uri(), namespace, limits, 1 << 20));
    }

    @Override
    protected boolean clustered() {
        return true;
    }

    @Override
    protected Broker unreachable(HistoryLimits limits) {
        return null; // shown on the standalone Redis (RedisBrokerContractTest, RedisRestartTest)
    }

    @Override
    protected MessageTime messageTime() {
        return MessageTime.ENGINE;
    }

    @Test
    void channelsSpreadOverTheShardsByHashSlot() {
        Node n = start(ROOMY);
        long[] before = new long[3];
        for (int i = 0; i < 3; i++) {
            before[i] = RedisTestCluster.keys(cluster.nodes.get(i).port());
        }
        for (int i = 0; i < 60; i++) {
            n.publish("/spread/" + i, i);
        }
        for (int i = 0; i < 3; i++) {
            EngineProcess shard = cluster.nodes.get(i);
            // Each channel's two keys share a slot; 60 channels over three shards put some on each.
            assertThat(RedisTestCluster.keys(shard.port()) - before[i]).as("keys on shard " + i).isGreaterThan(10).isEven();
        }
    }
}
