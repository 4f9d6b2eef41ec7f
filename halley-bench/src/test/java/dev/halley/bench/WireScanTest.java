package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the bench reads out of wire text without a JSON parser: channels, offsets and stamps per message. */
class WireScanTest {

    @Test
    void halleyBatchGivesEachMessageItsOwnChannel() {
        String body = "{\"messages\":[{\"channel\":\"/r/1\",\"offset\":7,\"data\":{\"t\":100,\"p\":\"xx\"},\"time\":1},"
                + "{\"channel\":\"/r/2\",\"offset\":3,\"data\":{\"t\":200,\"p\":\"xx\"},\"time\":2}],\"cursor\":\"abc\"}";
        List<String> seen = new ArrayList<>();
        int n = WireScan.messages(body, (channel, offset, stamp) -> seen.add(channel + " " + offset + " " + stamp));
        assertThat(n).isEqualTo(2);
        assertThat(seen).containsExactly("/r/1 7 100", "/r/2 3 200");
    }

    @Test
    void bayeuxRepliesGiveChannelAndSequenceInAnyKeyOrderAndSkipMetaReplies() {
        String body = "[{\"data\":{\"t\":100,\"n\":4,\"p\":\"x{\\\"}\"},\"channel\":\"/r/1\"},"
                + "{\"channel\":\"/r/2\",\"data\":{\"n\":9,\"t\":200}},"
                + "{\"channel\":\"/meta/connect\",\"id\":\"5\",\"successful\":true,\"advice\":{\"timeout\":30000}}]";
        List<String> seen = new ArrayList<>();
        int n = WireScan.bayeuxMessages(body, (channel, seq, stamp) -> seen.add(channel + " " + seq + " " + stamp));
        assertThat(n).isEqualTo(2);
        assertThat(seen).containsExactly("/r/1 4 100", "/r/2 9 200");
    }
}
