package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.CloseReason;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Heartbeats and the byte budget, with small values, over every streaming transport. */
@Timeout(30)
class StreamLimitsTest {
    static final int BUDGET = 2048;

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.HEARTBEAT, "300ms")
            .with(ConfigKey.STREAM_BUDGET, Integer.toString(BUDGET)));

    private static String channel(Wire w, String name) {
        return "/limits/" + w.name().toLowerCase() + "/" + name;
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void heartbeatComesAfterASilence(Wire w) throws Exception {
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + channel(w, "quiet"))) {
            c.next();
            long t0 = System.nanoTime();
            StreamItem hb = c.next();
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(hb.kind()).isEqualTo(StreamItem.Kind.HEARTBEAT);
            assertThat(hb.raw()).isEqualTo(w == Wire.SSE ? ": hb\n\n" : w.frame("{\"heartbeat\":true}"));
            assertThat(waited).isGreaterThanOrEqualTo(200);
            assertThat(c.next().kind()).as("and again").isEqualTo(StreamItem.Kind.HEARTBEAT);
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void budgetEndsTheStreamAndTheClientResumesOnTheSameConnection(Wire w) throws Exception {
        String ch = channel(w, "budget");
        long budgetClosesBefore = server.server().metrics().closeCount(CloseReason.BUDGET);
        String data = "\"" + "x".repeat(200) + "\"";
        List<Long> offsets = new ArrayList<>();
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + ch)) {
            c.next();
            for (int i = 0; i < 20; i++) {
                server.publish(ch, data);
            }
            List<StreamItem> first = c.untilEnd();
            first.stream().filter(i -> i.kind() == StreamItem.Kind.MESSAGE).forEach(i -> offsets.add(i.offset()));
            assertThat(offsets).as("the budget (%d B) ends the stream before 20 messages of 200 B", BUDGET).hasSizeLessThan(20).isNotEmpty();
            String resume;
            if (w == Wire.SSE) {
                // EventSource reconnects by itself with the last id: no notice.
                assertThat(first).noneMatch(i -> i.kind() == StreamItem.Kind.RECONNECT);
                resume = last(first, StreamItem.Kind.MESSAGE).resume();
            } else {
                StreamItem notice = first.get(first.size() - 1);
                assertThat(notice.kind()).isEqualTo(StreamItem.Kind.RECONNECT);
                assertThat(notice.reason()).isEqualTo("budget");
                assertThat(notice.raw()).isEqualTo(w.frame("{\"reconnect\":true,\"reason\":\"budget\",\"cursor\":\"" + notice.resume() + "\"}"));
                resume = notice.resume();
            }
            // The connection stays open: the next stream goes over it.
            if (w == Wire.SSE) {
                c.reopen("channel=" + ch, "Last-Event-ID: " + resume);
            } else {
                c.reopen("channel=" + ch + "&cursor=" + resume);
            }
            while (offsets.size() < 20) {
                StreamItem i = c.next();
                assertThat(i).as("second stream ended early after %s", offsets).isNotNull();
                assertThat(i.kind()).isNotEqualTo(StreamItem.Kind.GAP);
                if (i.kind() == StreamItem.Kind.MESSAGE) {
                    offsets.add(i.offset());
                }
            }
        }
        assertThat(offsets).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(server.server().metrics().closeCount(CloseReason.BUDGET)).isGreaterThan(budgetClosesBefore);
    }

    private static StreamItem last(List<StreamItem> items, StreamItem.Kind kind) {
        for (int i = items.size() - 1; i >= 0; i--) {
            if (items.get(i).kind() == kind) {
                return items.get(i);
            }
        }
        throw new AssertionError("no " + kind + " in " + items);
    }
}
