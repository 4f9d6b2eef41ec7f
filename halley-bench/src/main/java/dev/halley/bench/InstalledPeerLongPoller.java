package dev.halley.bench;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One client long-polling a Pushpin or Nchan peer's {@code /longpoll?channel=} on one keep-alive
 * connection, one poll in flight, re-polling at once, resuming the way each peer's docs advise so
 * that nothing published between two polls is missed:
 * <ul>
 *   <li>Pushpin: {@code &since=N}, the id of the last message received (the origin numbers its
 *       messages; its answer lines are {@code {"id":N,…}}). Starts from {@code since=0}.</li>
 *   <li>Nchan: {@code If-Modified-Since} and {@code If-None-Match} set to the previous answer's
 *       {@code Last-Modified} and {@code Etag}. Starts with neither: the channel's oldest message.</li>
 * </ul>
 * Every message is checked by its publisher's sequence number ({@code "n"}) through a {@link Tally};
 * an answer without messages (Pushpin's hold timing out, Nchan's 408) counts as empty; any other
 * status is an error, counted by status, after which the client polls again from the same place
 * after a pause (100 ms, doubling up to 2 s while errors go on).
 */
final class InstalledPeerLongPoller implements HttpConn.Listener {
    static final long FIRST_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 2_000;
    private final Bench bench;
    private final Tally tally;
    /** Error answers by status, shared by all the scenario's clients. */
    private final Map<Integer, LongAdder> errorStatuses;
    private final InstalledPeer.Kind kind;
    private final Followed followed;
    private final String path;
    private final String host;
    private volatile HttpConn conn;
    private volatile boolean stopped;
    /** Event loop only: Pushpin's cursor; Nchan's message id. */
    private long since;
    private String lastModified;
    private String etag;
    /** Event loop only: the pause before the next poll after an error answer (0: none). */
    private long backoffMs;

    InstalledPeerLongPoller(Bench bench, Tally tally, Map<Integer, LongAdder> errorStatuses, InstalledPeer.Kind kind,
            String channel) {
        this.bench = bench;
        this.tally = tally;
        this.errorStatuses = errorStatuses;
        this.kind = kind;
        this.followed = new Followed(List.of(channel));
        this.path = "/longpoll?channel=" + Transport.enc(channel);
        InetSocketAddress t = bench.target();
        this.host = t.getHostString() + ":" + t.getPort();
    }

    void attach(HttpConn c) {
        conn = c;
    }

    /** Sends the first poll (call once the connection is attached); the client counts as established. */
    void start() {
        tally.established.increment();
        poll();
    }

    private void poll() {
        boolean pushpin = kind == InstalledPeer.Kind.PUSHPIN;
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                pushpin ? path + "&since=" + since : path, Unpooled.EMPTY_BUFFER);
        req.headers().set(HttpHeaderNames.HOST, host);
        if (!pushpin && etag != null) {
            req.headers().set(HttpHeaderNames.IF_MODIFIED_SINCE, lastModified).set(HttpHeaderNames.IF_NONE_MATCH, etag);
        }
        conn.channel().writeAndFlush(req, conn.channel().voidPromise());
    }

    Followed followed() {
        return followed;
    }

    /** No more polls: the answer in flight is the last; a close from now on is not an error. */
    void stop() {
        stopped = true;
    }

    void close() {
        stop();
        HttpConn c = conn;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void response(int status, String body) {
        response(status, EmptyHttpHeaders.INSTANCE, body);
    }

    @Override
    public void response(int status, HttpHeaders headers, String body) {
        if (status == 200) {
            Seen seen = followed.of(null);
            tally.answered(WireScan.bayeuxMessages(body, (channel, n, stamp) -> tally.message(seen, n, stamp)));
            resumeFrom(headers, body);
            backoffMs = 0;
        } else if (status == 408 || status == 304) {
            // Nchan: the hold timed out (408) or nothing newer (304); poll again from the same id.
            tally.answered(0);
            backoffMs = 0;
        } else {
            // Pushpin answers 502 (500) when its proxy cannot hand a request on at once, in bursts of polls.
            // The client polls again from the same place, so nothing is lost, after a pause that doubles
            // while errors go on, as client libraries do: re-polling at once would make the burst a storm.
            errorStatuses.computeIfAbsent(status, s -> new LongAdder()).increment();
            bench.stats().errors.increment();
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs == 0 ? FIRST_BACKOFF_MS : backoffMs * 2);
        }
        if (stopped) {
            return;
        }
        if (backoffMs == 0) {
            poll();
        } else {
            conn.channel().eventLoop().schedule(() -> {
                if (!stopped) {
                    poll();
                }
            }, backoffMs, TimeUnit.MILLISECONDS);
        }
    }

    private void resumeFrom(HttpHeaders headers, String body) {
        if (kind == InstalledPeer.Kind.PUSHPIN) {
            int id = body.lastIndexOf("{\"id\":");
            if (id >= 0) {
                since = Math.max(since, WireScan.number(body, id + 6));
            }
        } else if (headers.contains(HttpHeaderNames.ETAG)) {
            lastModified = headers.get(HttpHeaderNames.LAST_MODIFIED);
            etag = headers.get(HttpHeaderNames.ETAG);
        }
    }

    @Override
    public void closed(Throwable cause) {
        if (!stopped) {
            tally.dropped(true);
        }
    }

    @Override
    public String toString() {
        return "InstalledPeerLongPoller[" + kind + " " + path + " since=" + since + " etag=" + etag + " seen="
                + followed.lowestHighest() + "]";
    }
}
