package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.testing.Engines;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code cluster} scenario at tiny scale, with its real moving parts: two node processes over
 * the shared Redis, two generator processes. Asserts the counts (every publish reached every
 * subscription on both nodes once, memory measured per node), never the speed.
 */
@Timeout(180)
class ClusterSmokeTest {

    @Test
    void everyPublishReachesEverySubscriptionOnEveryNode() throws Exception {
        Engines.requireRedis();
        Engines.requireCommand("redis-cli");
        Path out = Files.createTempDirectory("halley-cluster-smoke").resolve("cluster.json");
        Result r = ClusterScenario.run(Flags.of("--quiet", "--nodes", "2", "--clients", "40", "--generators", "2",
                "--publishes", "2", "--server-heap", "256m", "--generator-heap", "256m", "--generator-io-threads", "1"),
                out, new PrintStream(OutputStream.nullOutputStream()));
        List<Row> rows = r.rows();
        assertThat(rows).hasSize(4);
        assertThat(rows.subList(0, 2)).allSatisfy(node -> {
            assertThat(node.extra()).containsEntry("connections", 20L);
            assertThat((Long) node.extra().get("heapPerConnBytes")).isNotNull();
        });
        assertThat(rows.subList(2, 4)).allSatisfy(publish -> {
            assertThat(publish.extra()).containsEntry("lost", 0L).containsEntry("duplicates", 0L).containsEntry("dropped", 0L);
            assertThat(publish.extra().get("delivered")).isEqualTo(publish.extra().get("expected"));
            assertThat((Double) publish.extra().get("timeToReachAllMs")).isPositive();
        });
        assertThat(rows.get(3).extra()).containsEntry("expected", 80L);
        assertThat(Files.exists(out)).isTrue();
    }
}
