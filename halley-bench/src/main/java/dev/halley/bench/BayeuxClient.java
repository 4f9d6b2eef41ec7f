package dev.halley.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;
import java.util.Locale;

/**
 * One Bayeux 1.0 client of a CometD server (the {@code CometdPeer}), following one channel or
 * several: {@code /meta/handshake}, one {@code /meta/subscribe} per channel sent together as one
 * batch, then {@code /meta/connect} in a loop, re-sent as soon as its reply comes. Over
 * {@link Wire#LONG_POLLING} every message goes as an HTTP POST on one keep-alive connection, with
 * the {@code BAYEUX_BROWSER} cookie of the handshake as a browser would send it (without it CometD
 * answers {@code /meta/connect} at once instead of holding it), and messages arrive in the connect
 * replies. Over {@link Wire#WEBSOCKET} all of it goes as text frames on one connection and
 * messages arrive in frames of their own while a connect is held.
 *
 * <p>Bayeux messages carry no offset, so the publisher numbers its messages per channel
 * ({@code "n"} in the data) and this client checks every number once per channel through a
 * {@link Tally}. Not necessarily in order: the publisher's requests run concurrently on several
 * connections and CometD publishes each on its own thread, so one can overtake another (counted as
 * reordered, not as an error). All state lives on the connection's event loop.
 */
final class BayeuxClient implements HttpConn.Listener, WsTextHandler.Listener {
    /** Where the Bayeux servlet is mapped in the peer; long-polling appends the message type as CometD's clients do. */
    static final String COMETD = "/cometd";

    /** The Bayeux connection type spoken. */
    enum Wire {
        LONG_POLLING, WEBSOCKET;

        /** The {@code connectionType} name. */
        String bayeuxName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private enum State { HANDSHAKE, SUBSCRIBE, CONNECT, FAILED }

    private final Bench bench;
    private final Tally tally;
    private final Followed followed;
    private final Wire wire;
    private volatile HttpConn conn;
    private volatile Channel ws;
    private volatile boolean stopped;
    private State state = State.HANDSHAKE;
    private String clientId;
    private String cookie;
    private long nextId;
    private int subscribeReplies;

    BayeuxClient(Bench bench, Tally tally, List<String> channels, Wire wire) {
        this.bench = bench;
        this.tally = tally;
        this.followed = new Followed(channels);
        this.wire = wire;
    }

    Followed followed() {
        return followed;
    }

    /** Long-polling: the connection to talk on (then {@link #handshake()}). */
    void attach(HttpConn c) {
        conn = c;
    }

    /** WebSocket: connects, upgrades to {@link #COMETD} and handshakes once upgraded. */
    ChannelFuture open() {
        return WsTextHandler.connect(bench.loops(), bench.target(), COMETD, this);
    }

    void handshake() {
        send("/handshake", "[{\"id\":\"" + (++nextId) + "\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                + "\"minimumVersion\":\"1.0\",\"supportedConnectionTypes\":[\"" + wire.bayeuxName() + "\"]}]");
    }

    private void subscribe() {
        StringBuilder batch = new StringBuilder("[");
        for (String channel : followed.channels()) {
            batch.append(batch.length() > 1 ? "," : "").append("{\"id\":\"").append(++nextId)
                    .append("\",\"channel\":\"/meta/subscribe\",\"clientId\":\"").append(clientId)
                    .append("\",\"subscription\":\"").append(channel).append("\"}");
        }
        send("", batch.append(']').toString());
    }

    private void metaConnect() {
        send("/connect", "[{\"id\":\"" + (++nextId) + "\",\"channel\":\"/meta/connect\",\"clientId\":\"" + clientId
                + "\",\"connectionType\":\"" + wire.bayeuxName() + "\"}]");
    }

    private void send(String typeSuffix, String json) {
        if (wire == Wire.LONG_POLLING) {
            conn.postJson(COMETD + typeSuffix, json, cookie);
        } else {
            ws.writeAndFlush(new TextWebSocketFrame(json), ws.voidPromise());
        }
    }

    @Override
    public void response(int status, String body) {
        response(status, null, body);
    }

    @Override
    public void response(int status, HttpHeaders headers, String body) {
        if (status != 200) {
            fail();
        } else {
            received(body, headers);
        }
    }

    @Override
    public void opened(Channel channel) {
        ws = channel;
        bench.stats().connected.increment();
        handshake();
    }

    @Override
    public void text(String text) {
        received(text, null);
    }

    /** One reply (long-polling) or frame (WebSocket): its messages checked, then the next step. */
    private void received(String body, HttpHeaders headers) {
        if (body.contains("\"successful\":false")) {
            fail();
            return;
        }
        int n = WireScan.bayeuxMessages(body, (channel, seq, stamp) -> tally.message(followed.of(channel), seq, stamp));
        switch (state) {
            case HANDSHAKE -> handshaken(body, headers);
            case SUBSCRIBE -> {
                subscribeReplies += occurrences(body, "\"channel\":\"/meta/subscribe\"");
                if (subscribeReplies >= followed.channels().size()) {
                    state = State.CONNECT;
                    tally.established.increment();
                    metaConnect();
                }
            }
            case CONNECT -> {
                if (body.contains("\"channel\":\"/meta/connect\"")) {
                    tally.answered(n);
                    if (!stopped) {
                        metaConnect();
                    }
                }
            }
            case FAILED -> {
            }
        }
    }

    private void handshaken(String body, HttpHeaders headers) {
        clientId = WireScan.string(body, "clientId");
        cookie = browserCookie(headers);
        if (clientId == null) {
            fail();
            return;
        }
        state = State.SUBSCRIBE;
        subscribe();
    }

    private static int occurrences(String s, String part) {
        int count = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            count++;
        }
        return count;
    }

    private void fail() {
        bench.stats().errors.increment();
        state = State.FAILED;
    }

    /** No more connects: the one in flight is the last; a close from now on is not an error. */
    void stop() {
        stopped = true;
    }

    void close() {
        stopped = true;
        if (conn != null) {
            conn.close();
        }
        if (ws != null) {
            ws.close();
        }
    }

    @Override
    public void closed(Throwable cause) {
        closed();
    }

    @Override
    public void closed() {
        if (!stopped) {
            tally.dropped(wire == Wire.LONG_POLLING || ws != null);
        }
    }

    /** {@code BAYEUX_BROWSER=…} from the handshake's {@code Set-Cookie}, as the {@code Cookie} value; null if absent. */
    static String browserCookie(HttpHeaders headers) {
        if (headers == null) {
            return null;
        }
        for (String set : headers.getAll(HttpHeaderNames.SET_COOKIE)) {
            if (set.startsWith("BAYEUX_BROWSER=")) {
                int semi = set.indexOf(';');
                return semi < 0 ? set : set.substring(0, semi);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "BayeuxClient[" + wire.bayeuxName() + " " + state + " " + clientId + " " + followed.channels() + "]";
    }
}
