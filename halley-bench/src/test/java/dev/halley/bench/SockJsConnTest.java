package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.bench.peer.PeerFlags;
import dev.halley.bench.peer.VertxSockJsPeer;
import dev.halley.server.ConfigKey;
import dev.halley.server.HalleyConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One bench SockJS session against Halley's {@code channels} service and against the Vert.x
 * peer, with the same bytes: it subscribes in band, gets the subscribe's reply first, then every
 * published message once and in order. Both servers end streams after 2 KiB here, so an
 * xhr-streaming session must take many streams in turn without losing a message.
 */
@Timeout(30)
class SockJsConnTest {
    private static final int BUDGET = 2048;
    private static final int MESSAGES = 100;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static InProcessServer halley;
    private static VertxSockJsPeer vertx;
    private static Loops loops;

    @BeforeAll
    static void start() throws Exception {
        halley = new InProcessServer(HalleyConfig.defaults().with(ConfigKey.STREAM_BUDGET, Integer.toString(BUDGET)));
        vertx = VertxSockJsPeer.start(PeerFlags.ephemeral().with("event-loops", "2").with("stream-budget", Integer.toString(BUDGET)));
        loops = new Loops(1, 1, halley.address());
    }

    @AfterAll
    static void stop() {
        loops.close();
        vertx.close();
        halley.close();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @CsvSource({"halley, sockjs-ws", "halley, sockjs-xhr-streaming", "vertx, sockjs-ws", "vertx, sockjs-xhr-streaming"})
    void subscribesThenReceivesEveryMessageOnceInOrder(String server, String transportName) throws Exception {
        Transport transport = Transport.of(transportName);
        InetSocketAddress target = server.equals("halley") ? halley.address() : vertx.address();
        String channel = "/bench/sockjs-" + System.nanoTime();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CountDownLatch closed = new CountDownLatch(1);
        SockJsConn conn = new SockJsConn(transport, List.of("{\"op\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1}"),
                new SockJsConn.Listener() {
                    @Override
                    public void message(String text) {
                        received.add(text);
                    }

                    @Override
                    public void closed() {
                        closed.countDown();
                    }
                });
        conn.open(loops, target).sync();
        try {
            assertThat(received.poll(5, TimeUnit.SECONDS)).as("the subscribe's reply")
                    .startsWith("{\"id\":1,\"ok\":true,\"channel\":\"" + channel + "\"");
            String path = server.equals("halley") ? "/api/publish" : "/publish";
            for (int i = 1; i <= MESSAGES; i++) {
                // Sequential: each publish is answered before the next, so the order is the publisher's.
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.getPort() + path))
                        .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"" + channel + "\",\"data\":{\"n\":" + i + "}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            List<Long> numbers = new ArrayList<>();
            while (numbers.size() < MESSAGES) {
                String text = received.poll(5, TimeUnit.SECONDS);
                assertThat(text).as("message %d of %d", numbers.size() + 1, MESSAGES).isNotNull();
                numbers.add(WireScan.number(text, text.indexOf("\"n\":") + 4));
            }
            assertThat(numbers).isEqualTo(java.util.stream.LongStream.rangeClosed(1, MESSAGES).boxed().toList());
            assertThat(received.poll(200, TimeUnit.MILLISECONDS)).as("nothing more").isNull();
            assertThat(closed.getCount()).as("the session is still open").isEqualTo(1);
            if (transport == Transport.SOCKJS_XHR_STREAMING) {
                // ~40 bytes a message: 100 messages are some 4 KiB, so at least two streams ended at 2 KiB.
                assertThat(conn.streams()).isGreaterThanOrEqualTo(3);
            }
        } finally {
            conn.close();
        }
        assertThat(closed.await(5, TimeUnit.SECONDS)).as("closed once the connection ended").isTrue();
    }
}
