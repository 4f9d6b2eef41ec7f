package dev.halley.server.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.server.HalleyServer;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Another client, connected while a test abuses the server: a long-poll held on its own socket
 * and its own channel. {@link #assertUnaffected()} publishes to that channel and checks the held
 * long-poll gets the message, i.e. the abuse touched nobody else.
 */
final class Bystander implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final HalleyServer server;
    private final String channel;
    private final RawHttp raw;

    private Bystander(HalleyServer server) throws IOException {
        this.server = server;
        this.channel = "/bystander/" + SEQ.incrementAndGet();
        this.raw = new RawHttp(server.port(), Duration.ofSeconds(10));
    }

    /** Opens the long-poll and waits until the server holds it (its channel is subscribed). */
    static Bystander hold(HalleyServerExtension server) throws IOException {
        return hold(server.server());
    }

    static Bystander hold(HalleyServer server) throws IOException {
        Bystander b = new Bystander(server);
        // The count is global: track its low point so a feed of an earlier test closing meanwhile
        // cannot hide this one's registration.
        AtomicInteger low = new AtomicInteger(server.hub().subscribedPatterns());
        b.raw.get("/longpoll?channel=" + b.channel + "&since=0&timeout=20");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
            int now = server.hub().subscribedPatterns();
            return now > low.getAndAccumulate(now, Math::min);
        });
        return b;
    }

    /** Publishes to the bystander's channel; its held long-poll must answer with that message. */
    void assertUnaffected() throws Exception {
        server.hub().publish(channel, "\"still here\"".getBytes(StandardCharsets.US_ASCII)).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        RawHttp.Head head = raw.readHead();
        assertThat(head.status()).isEqualTo(200);
        JsonNode body = Edge.JSON.readTree(raw.readBody(head));
        assertThat(body.get("messages")).hasSize(1);
        assertThat(body.at("/messages/0/channel").asText()).isEqualTo(channel);
        assertThat(body.at("/messages/0/data").asText()).isEqualTo("still here");
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
