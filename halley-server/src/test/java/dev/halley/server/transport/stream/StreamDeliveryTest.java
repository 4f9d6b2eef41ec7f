package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One test body over the four streaming transports: order, completeness and resume. */
@Timeout(60)
class StreamDeliveryTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.HISTORY_SIZE, "2000")
            .with(ConfigKey.STREAM_BUDGET, "1MiB")
            .with(ConfigKey.OUTBOUND_MAX_MESSAGES, "5000"));

    private static String channel(Wire w, String name) {
        return "/delivery/" + w.name().toLowerCase() + "/" + name;
    }

    private static List<StreamItem> messages(List<StreamItem> items) {
        return items.stream().filter(i -> i.kind() == StreamItem.Kind.MESSAGE).toList();
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void thousandMessagesArriveInOrderAndNothingElseIsLost(Wire w) throws Exception {
        String ch = channel(w, "order");
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + ch)) {
            assertThat(c.next().kind()).as("subscribed").isEqualTo(StreamItem.Kind.CURSOR);
            List<CompletableFuture<?>> published = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                published.add(server.hub().publish(ch, ("{\"i\":" + i + "}").getBytes(StandardCharsets.US_ASCII)).toCompletableFuture());
            }
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

            List<StreamItem> items = c.untilMessages(1000);
            List<StreamItem> messages = messages(items);
            for (int i = 0; i < 1000; i++) {
                assertThat(messages.get(i).offset()).isEqualTo(i + 1);
                assertThat(messages.get(i).json().at("/data/i").asInt()).isEqualTo(i + 1);
                assertThat(messages.get(i).json().get("channel").asText()).isEqualTo(ch);
            }
            assertThat(items).allSatisfy(i -> assertThat(i.kind()).isIn(StreamItem.Kind.MESSAGE, StreamItem.Kind.CURSOR, StreamItem.Kind.HEARTBEAT));
            if (w != Wire.SSE) {
                // Every batch ends with its cursor, so the last message is followed by one.
                StreamItem cursor = c.nextSkippingHeartbeats();
                assertThat(cursor.kind()).isEqualTo(StreamItem.Kind.CURSOR);
                assertThat(dev.halley.core.Cursor.decode(cursor.resume()).positions().get(ch).offset()).isEqualTo(1000);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void resumeAfterDisconnectGetsExactlyTheMissedMessages(Wire w) throws Exception {
        String ch = channel(w, "resume");
        String resume;
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + ch)) {
            c.next();
            for (int i = 1; i <= 3; i++) {
                server.publish(ch, Integer.toString(i));
            }
            List<StreamItem> items = c.untilMessages(3);
            assertThat(messages(items)).extracting(StreamItem::offset).containsExactly(1L, 2L, 3L);
            // SSE: the id of the last message; the others: the cursor that follows its batch.
            resume = w == Wire.SSE ? items.get(items.size() - 1).resume() : cursorAfterLastMessage(c);
        }
        for (int i = 4; i <= 6; i++) {
            server.publish(ch, Integer.toString(i));
        }
        String[] headers = w == Wire.SSE ? new String[] {"Last-Event-ID: " + resume} : new String[0];
        String query = "channel=" + ch + (w == Wire.SSE ? "" : "&cursor=" + resume);
        try (StreamClient c = StreamClient.open(server.port(), w, query, headers)) {
            List<StreamItem> items = c.untilMessages(3);
            assertThat(items).noneMatch(i -> i.kind() == StreamItem.Kind.GAP);
            assertThat(messages(items)).extracting(StreamItem::offset).containsExactly(4L, 5L, 6L);
            assertThat(messages(items)).extracting(i -> i.json().get("data").asInt()).containsExactly(4, 5, 6);
            server.publish(ch, "7");
            StreamItem next = c.nextSkippingHeartbeats();
            while (next.kind() == StreamItem.Kind.CURSOR) {
                next = c.nextSkippingHeartbeats();
            }
            assertThat(next.offset()).as("no duplicate, nothing skipped").isEqualTo(7);
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void severalChannelsAndWildcardsShareOneStream(Wire w) throws Exception {
        String a = channel(w, "multi/a");
        String b = channel(w, "multi/b");
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + a + "&channel=" + channel(w, "multi/*"))) {
            c.next();
            server.publish(a, "1");
            server.publish(b, "2");
            List<StreamItem> messages = messages(c.untilMessages(2));
            assertThat(messages).extracting(i -> i.json().get("channel").asText()).containsExactly(a, b);
        }
    }

    private static String cursorAfterLastMessage(StreamClient c) throws Exception {
        StreamItem i = c.nextSkippingHeartbeats();
        assertThat(i.kind()).isEqualTo(StreamItem.Kind.CURSOR);
        return i.resume();
    }
}
