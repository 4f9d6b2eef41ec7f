package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming client over {@link RawHttp}: sends the request, checks the headers and the
 * preamble, then hands out the body as exact text or as parsed {@link StreamItem}s. Can open
 * the next stream on the same keep-alive connection.
 */
final class StreamClient implements AutoCloseable {
    final Wire wire;
    final RawHttp raw;
    RawHttp.Head head;
    private final StringBuilder body = new StringBuilder();
    private boolean ended;

    private StreamClient(Wire wire, RawHttp raw) {
        this.wire = wire;
        this.raw = raw;
    }

    /** Opens {@code wire}'s stream for {@code query}; checks status, headers and preamble. */
    static StreamClient open(int port, Wire wire, String query, String... headers) throws IOException {
        StreamClient c = new StreamClient(wire, new RawHttp(port, Duration.ofSeconds(10)));
        c.reopen(query, headers);
        return c;
    }

    /** Opens another stream on the same connection (after the previous one ended). */
    StreamClient reopen(String query, String... headers) throws IOException {
        assertThat(body).as("unread bytes").isEmpty();
        ended = false;
        raw.get(wire.target(query), headers);
        head = raw.readHead();
        assertThat(head.status()).as("status of %s", wire.target(query)).isEqualTo(200);
        assertThat(head.header("content-type")).isEqualTo(wire.contentType);
        assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(text(wire.preamble().length())).isEqualTo(wire.preamble());
        return this;
    }

    /** The next {@code n} characters of the body (all frames are ASCII after escaping). */
    String text(int n) throws IOException {
        while (body.length() < n) {
            if (!fill()) {
                throw new IOException("stream ended after " + body.length() + " of " + n + " chars: " + body);
            }
        }
        String s = body.substring(0, n);
        body.delete(0, n);
        return s;
    }

    /** The next item, or null when the stream ended (after checking the trailer). */
    StreamItem next() throws IOException {
        while (true) {
            StreamItem item = wire.parse(body);
            if (item != null) {
                return item;
            }
            if (!fill()) {
                assertThat(body.toString()).as("bytes before the terminating chunk").isEqualTo(wire.trailer());
                body.setLength(0);
                return null;
            }
        }
    }

    /** The next item that is not a heartbeat. */
    StreamItem nextSkippingHeartbeats() throws IOException {
        StreamItem i;
        do {
            i = next();
        } while (i != null && i.kind() == StreamItem.Kind.HEARTBEAT);
        return i;
    }

    /** Items up to and including the {@code n}th message; fails if the stream ends first. */
    List<StreamItem> untilMessages(int n) throws IOException {
        List<StreamItem> items = new ArrayList<>();
        int seen = 0;
        while (seen < n) {
            StreamItem i = next();
            if (i == null) {
                throw new IOException("stream ended after " + seen + " of " + n + " messages: " + items);
            }
            items.add(i);
            if (i.kind() == StreamItem.Kind.MESSAGE) {
                seen++;
            }
        }
        return items;
    }

    /** Every item until the stream ends. */
    List<StreamItem> untilEnd() throws IOException {
        List<StreamItem> items = new ArrayList<>();
        StreamItem i;
        while ((i = next()) != null) {
            items.add(i);
        }
        return items;
    }

    boolean ended() {
        return ended;
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        byte[] chunk = raw.readChunk();
        if (chunk == null) {
            ended = true;
            return false;
        }
        body.append(new String(chunk, StandardCharsets.UTF_8));
        return true;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
