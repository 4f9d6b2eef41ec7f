package dev.halley.bench;

import java.util.List;

/**
 * One client long-polling Halley's native {@code /longpoll} on one keep-alive connection: one
 * poll in flight, re-polling at once with the returned cursor, every message checked through a
 * {@link Tally} against the channel it came on.
 *
 * <p>Where it starts: with one channel, {@code since=0} (everything from the first offset of a
 * fresh channel). With several (a chat client's rooms; {@code since} names one channel only), an
 * opening {@code timeout=0} poll answers at once with a cursor at each channel's current position,
 * and the long-polls resume from it; that answer counts as the client being
 * {@linkplain Tally#established established}, not as a cycle.
 */
final class LongPoller implements HttpConn.Listener {
    private final Bench bench;
    private final Tally tally;
    private final Followed followed;
    private final String base;
    private final String query;
    private final boolean opening;
    private volatile HttpConn conn;
    private volatile boolean stopped;
    private String cursor;
    private boolean opened;

    /**
     * @param follows  the channels whose messages are checked (published ones)
     * @param quiet    further channels polled too, never published to ({@code channel=} each)
     * @param query    the rest of the query: {@code &timeout=30}, {@code &callback=cb}
     */
    LongPoller(Bench bench, Tally tally, List<String> follows, List<String> quiet, String query) {
        this.bench = bench;
        this.tally = tally;
        this.followed = new Followed(follows);
        this.opening = follows.size() + quiet.size() > 1;
        this.base = "/longpoll?" + Transport.channelParams(follows).substring(1) + Transport.channelParams(quiet);
        this.query = query;
    }

    void attach(HttpConn c) {
        conn = c;
    }

    /** Sends the first poll (call once the connection is attached). */
    void start() {
        if (opening) {
            conn.get(base + "&timeout=0" + callbackOf(query), true);
        } else {
            opened = true;
            tally.established.increment();
            conn.get(base + query + "&since=0", true);
        }
    }

    private static String callbackOf(String query) {
        int c = query.indexOf("&callback=");
        return c < 0 ? "" : query.substring(c);
    }

    private void poll() {
        conn.get(base + query + (cursor != null ? "&cursor=" + cursor : ""), true);
    }

    Followed followed() {
        return followed;
    }

    /** No more polls: the answer in flight is the last; a close from now on is not an error. */
    void stop() {
        stopped = true;
    }

    void close() {
        stopped = true;
        HttpConn c = conn;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void response(int status, String body) {
        if (status != 200 || body.contains("\"error\"")) {
            bench.stats().errors.increment();
        } else {
            int n = followed.channels().size() == 1
                    ? WireScan.messages(body, (offset, stamp) -> tally.message(followed.of(null), offset, stamp))
                    : WireScan.messages(body, (channel, offset, stamp) -> tally.message(followed.of(channel), offset, stamp));
            if (opened) {
                tally.answered(n);
            } else {
                opened = true;
                tally.established.increment();
            }
            String c = WireScan.cursor(body);
            if (c != null) {
                cursor = c;
            }
        }
        if (!stopped) {
            poll();
        }
    }

    @Override
    public void closed(Throwable cause) {
        if (!stopped) {
            tally.dropped(true);
        }
    }
}
