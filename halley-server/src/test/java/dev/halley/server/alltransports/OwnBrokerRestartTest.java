package dev.halley.server.alltransports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.core.HistoryLimits;
import dev.halley.core.InMemoryBroker;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server started on a broker the application owns leaves it open on close: restarted on the
 * same broker, even an in-memory one, it keeps history and epochs, so a cursor taken before the
 * restart resumes after it with nothing lost and no gap.
 */
@Timeout(30)
class OwnBrokerRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InMemoryBroker BROKER = new InMemoryBroker(HistoryLimits.DEFAULT);

    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension().onBroker(BROKER);

    @Test
    void aCursorFromBeforeTheRestartResumesAfterIt() throws Exception {
        server.publish("/own/a", "1");
        JsonNode before = JSON.readTree(server.get("/poll?channel=/own/a&since=0").body());
        assertThat(before.get("messages")).hasSize(1);
        String cursor = before.get("cursor").asText();

        server.restart(() -> BROKER.publish("/own/a", "2".getBytes(StandardCharsets.UTF_8)));
        server.publish("/own/a", "3");

        JsonNode after = JSON.readTree(server.get("/poll?channel=/own/a&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)).body());
        assertThat(after.get("recovered").asBoolean()).isTrue();
        assertThat(after.has("gaps")).isFalse();
        assertThat(after.get("messages")).extracting(m -> m.get("offset").asInt() + "=" + m.get("data").asText())
                .containsExactly("2=2", "3=3");
        assertThat(BROKER.channelCount()).as("the server did not close the broker it was given").isEqualTo(1);
    }
}
