package dev.halley.broker.redis;

import dev.halley.core.testing.EngineProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** A private three-shard Redis Cluster (no replicas) made of child redis-server processes. */
final class RedisTestCluster implements AutoCloseable {
    final List<EngineProcess> nodes = new ArrayList<>();

    RedisTestCluster() throws IOException, InterruptedException {
        for (int i = 0; i < 3; i++) {
            nodes.add(EngineProcess.redisClusterNode());
        }
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (EngineProcess n : nodes) {
            cmd.add("127.0.0.1:" + n.port());
        }
        cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process create = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(create.getInputStream().readAllBytes());
        if (!create.waitFor(30, TimeUnit.SECONDS) || create.exitValue() != 0) {
            close();
            throw new IllegalStateException("redis-cli --cluster create failed: " + out);
        }
        for (EngineProcess n : nodes) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> clusterInfo(n.port()).contains("cluster_state:ok"));
        }
    }

    /** {@code redis-cluster://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c}. */
    String uri() {
        StringBuilder sb = new StringBuilder("redis-cluster://");
        for (int i = 0; i < nodes.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port());
        }
        return sb.toString();
    }

    /** Number of keys held by the node on {@code port}. */
    static long keys(int port) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().dbsize();
        } finally {
            client.shutdown();
        }
    }

    private static String clusterInfo(int port) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().clusterInfo();
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        nodes.forEach(EngineProcess::close);
    }
}
