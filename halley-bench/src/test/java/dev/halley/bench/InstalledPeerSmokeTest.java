package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.halley.bench.InstalledPeer.Kind;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fan-out and long-poll scenarios against Pushpin and nginx + Nchan, as the bench starts them
 * from their Debian packages, at small scale: asserts the counts (every published message reached
 * every client once, no errors), never the speed. Needs {@code pushpin} and {@code nginx} with
 * {@code libnginx-mod-nchan} installed: on CI ({@code CI=true}) a missing one fails the test;
 * elsewhere the test is skipped, saying what to install.
 */
@Timeout(90)
class InstalledPeerSmokeTest {

    /** Long-poll hold (seconds): short, so that a Pushpin client whose hold missed the last message is not long late. */
    private static final int HOLD = 5;

    private static InstalledPeer start(Kind kind) throws Exception {
        String why = kind.missing();
        if (why != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(kind.flag() + " must be installed on CI (.ci/run: apt-get install pushpin nginx libnginx-mod-nchan): " + why);
            }
            Assumptions.abort("skipped, " + kind.flag() + " is not installed here: " + why);
        }
        return InstalledPeer.start(kind, 10_000, HOLD, null);
    }

    @ParameterizedTest(name = "{0} over {1}")
    @CsvSource({"PUSHPIN, sse", "PUSHPIN, stream", "NCHAN, sse", "NCHAN, stream"})
    void fanoutDeliversEveryMessageToEverySubscriberOnce(Kind kind, String transport) throws Exception {
        try (InstalledPeer peer = start(kind)) {
            Result r = BenchMain.run("fanout-" + kind.flag(), Flags.of("--quiet", "--transport", transport, "--clients", "20",
                    "--singles", "2", "--rates", "20,50", "--step", "700ms"), peer);
            Row totals = r.rows().get(r.rows().size() - 1);
            assertThat(totals.label()).isEqualTo("totals");
            assertThat(totals.errors()).isZero();
            assertThat(totals.extra()).containsEntry("lost", 0L).containsEntry("duplicates", 0L).containsEntry("dropped", 0L);
            assertThat(totals.extra().get("delivered")).isEqualTo(totals.extra().get("expected"));
            assertThat((Long) totals.extra().get("published")).as("both singles and some paced messages").isGreaterThan(2 + 5);
            assertThat(r.rows().subList(0, 2)).allSatisfy(row -> assertThat(row.extra().get("fullDeliveryMs")).isNotEqualTo(Double.NaN));
            assertThat(r.notes()).noneMatch(n -> n.contains("NOT fully drained") || n.startsWith("only "));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void longPollEveryClientSeesEveryMessageOnce(Kind kind) throws Exception {
        try (InstalledPeer peer = start(kind)) {
            Result r = BenchMain.run("longpoll-" + kind.flag(), Flags.of("--quiet", "--clients", "20", "--duration", "2s",
                    "--warmup", "300ms", "--rate", "20", "--timeout", Integer.toString(HOLD)), peer);
            Row row = r.rows().get(0);
            // Pushpin may answer a burst of polls 502 "Error while proxying to origin" or 500 "Accept service
            // unavailable" (its proxy could not hand a request on at once); the client polls again from the same
            // place. Any other error is the bench's or the origin's fault.
            Set<String> tolerated = kind == Kind.PUSHPIN ? Set.of("500", "502") : Set.of();
            assertThat(((Map<?, ?>) row.extra().get("errorStatuses")).keySet()).allMatch(tolerated::contains);
            assertThat(row.throughput()).isPositive();
            assertThat(row.extra()).containsEntry("lost", 0L).containsEntry("duplicates", 0L)
                    .containsEntry("incompleteClients", 0L).containsEntry("publishErrors", 0L);
            long published = (Long) row.extra().get("published");
            assertThat(published).isGreaterThan(20);
            // Held polls: answers without a message would show the peer not holding them.
            assertThat((Long) row.extra().get("emptyPolls")).isLessThan(published * 20 / 10);
            assertThat(r.notes()).noneMatch(n -> n.startsWith("drain"));
            assertThat(r.server()).containsKey("command");
        }
    }
}
