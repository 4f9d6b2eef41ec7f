package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.server.Metrics;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A graceful shutdown tells every open stream to reconnect, with its cursor, and closes the connection. */
@Timeout(30)
class StreamShutdownTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    @Test
    void everyStreamGetsAShutdownNoticeThenTheConnectionCloses() throws Exception {
        Map<Wire, StreamClient> clients = new EnumMap<>(Wire.class);
        List<String> channels = new ArrayList<>();
        try {
            for (Wire w : Wire.values()) {
                String ch = "/shutdown/" + w.name().toLowerCase();
                channels.add(ch);
                StreamClient c = StreamClient.open(server.port(), w, "channel=" + ch);
                clients.put(w, c);
                c.next();
                server.publish(ch, "1");
                assertThat(c.nextSkippingHeartbeats().offset()).isEqualTo(1);
            }
            Metrics metrics = server.server().metrics();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
            for (Wire w : Wire.values()) {
                StreamClient c = clients.get(w);
                List<StreamItem> rest = c.untilEnd();
                StreamItem notice = rest.get(rest.size() - 1);
                assertThat(notice.kind()).isEqualTo(StreamItem.Kind.RECONNECT);
                assertThat(notice.reason()).isEqualTo("shutdown");
                String json = "{\"reconnect\":true,\"reason\":\"shutdown\",\"cursor\":\"" + notice.resume() + "\"}";
                assertThat(notice.raw()).isEqualTo(w == Wire.SSE
                        ? "event: reconnect\ndata: {\"reason\":\"shutdown\",\"cursor\":\"" + notice.resume() + "\"}\n\n"
                        : w.frame(json));
                String ch = "/shutdown/" + w.name().toLowerCase();
                assertThat(Cursor.decode(notice.resume()).positions().get(ch).offset()).isEqualTo(1);
                assertThat(c.raw.isClosedByServer()).isTrue();
            }
            stopped.get(15, TimeUnit.SECONDS);
            assertThat(metrics.closeCount(CloseReason.SHUTDOWN)).isEqualTo(4);
        } finally {
            for (StreamClient c : clients.values()) {
                c.close();
            }
        }
    }
}
