package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** At shutdown a held {@code /meta/connect} is answered at once, telling the client to handshake again (elsewhere, or later). */
@Timeout(30)
class BayeuxShutdownTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SHUTDOWN_GRACE, "1s"));

    @Test
    void aHeldConnectIsAnsweredWithHandshakeAdvice() throws Exception {
        RawBayeux browser = new RawBayeux(server);
        String id = browser.handshake();
        browser.connect(id, 0, null);
        long routed = server.server().metrics().requestCount("/cometd/**");
        CompletableFuture<RawBayeux.Answer> held = CompletableFuture.supplyAsync(() -> {
            try {
                return browser.connect(id, 20_000, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Stop only once the connect has reached the router: a request still being sent when the
        // listener closes would meet a closed connection, not the shutdown answer under test.
        await().atMost(5, TimeUnit.SECONDS)
                .until(() -> server.server().metrics().requestCount("/cometd/**") > routed);
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
        JsonNode reply = held.get(10, TimeUnit.SECONDS).on("/meta/connect");
        assertThat(reply.get("successful").asBoolean()).isFalse();
        assertThat(reply.get("error").asText()).isIn("503::shutting_down", "402::session_unknown");
        assertThat(reply.get("advice").get("reconnect").asText()).isEqualTo("handshake");
        stopping.get(10, TimeUnit.SECONDS);
        server.start();
    }
}
