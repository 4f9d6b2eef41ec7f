package dev.halley.server.protocol.bayeux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.halley.core.ChannelName;
import dev.halley.core.ChannelPattern;
import dev.halley.core.HalleyException;
import dev.halley.core.Resume;
import dev.halley.server.ServerContext;
import dev.halley.server.api.Publishing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Bayeux 1.0 on Halley's hub, whatever transport carries it: the meta channels, publishing,
 * service channels and the {@code ack} and {@code timesync} extensions. A door hands it the
 * messages of one request (or WebSocket frame) with a {@link Carrier}; it answers with the
 * replies, in order, and the {@code /meta/connect} the door is to answer or hold.
 *
 * <ul>
 *   <li>{@code /meta/handshake} opens a session bound to the browser, negotiating the connection
 *       types both sides speak; {@code ext.ack: true} turns the ack extension on.</li>
 *   <li>{@code /meta/connect} is held until messages arrive or {@code timeout} (the client's
 *       {@code advice.timeout}, at most {@code longpoll-max-timeout}; else {@code longpoll-timeout});
 *       answered at once when the client asks ({@code timeout: 0}), when something waits, or when
 *       it is not the last message of its batch.</li>
 *   <li>{@code /meta/subscribe}, {@code /meta/unsubscribe}: one pattern or an array, {@code /*} and
 *       {@code /**} wildcards, under the channel policy; live only.</li>
 *   <li>Any other channel is a publish through {@link dev.halley.core.Hub#publish}, so every door's
 *       subscribers see it; {@code /service/**} messages are acknowledged and never broadcast.</li>
 * </ul>
 * An unknown or foreign {@code clientId} gets {@code 402::session_unknown} with
 * {@code advice: {reconnect: handshake}}: after a restart the client handshakes and subscribes again.
 */
final class BayeuxEngine {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** What the engine needs of the door a batch came through. */
    interface Carrier {
        ConnectionType type();

        /** The browser the request comes from ({@code BAYEUX_BROWSER} cookie), or null. */
        String browserId();

        /** The browser a new session is bound to; an HTTP door makes one (and sets the cookie) when the request had none. */
        String browserIdForHandshake();
    }

    /** What one batch produced: encoded replies in order, and the connect left to answer, if any. */
    static final class Outcome {
        final List<byte[]> replies = new ArrayList<>();
        PendingConnect connect;
    }

    private final ServerContext server;
    private final BayeuxSessions sessions;

    BayeuxEngine(ServerContext server) {
        this.server = server;
        this.sessions = new BayeuxSessions(server);
    }

    BayeuxSessions sessions() {
        return sessions;
    }

    ServerContext server() {
        return server;
    }

    /**
     * Handles {@code batch} in order, each message after the previous one's broker work completed.
     * The stage completes on whichever thread finished the last step (the caller's, with the
     * embedded broker).
     */
    CompletionStage<Outcome> process(Carrier carrier, List<JsonNode> batch) {
        Outcome out = new Outcome();
        CompletionStage<Void> chain = DONE;
        for (int i = 0; i < batch.size(); i++) {
            JsonNode node = batch.get(i);
            boolean last = i == batch.size() - 1;
            chain = chain.thenCompose(v -> handle(carrier, out, node, last));
        }
        return chain.thenApply(v -> out);
    }

    private CompletionStage<Void> handle(Carrier carrier, Outcome out, JsonNode node, boolean last) {
        Inbound m;
        try {
            m = Inbound.of(node, System.currentTimeMillis());
        } catch (BayeuxError.Refused r) {
            JsonNode channel = node.path("channel");
            JsonNode id = node.path("id");
            refuse(out, Replies.failure(channel.isTextual() ? channel.textValue() : null,
                    id.isTextual() || id.isNumber() ? id : null, r.error), r.error);
            return DONE;
        }
        try {
            return switch (m.channel()) {
                case Inbound.HANDSHAKE -> done(() -> handshake(carrier, out, m));
                case Inbound.CONNECT -> done(() -> connect(carrier, out, m, last));
                case Inbound.DISCONNECT -> done(() -> disconnect(carrier, out, m));
                case Inbound.SUBSCRIBE -> subscribe(carrier, out, m);
                case Inbound.UNSUBSCRIBE -> done(() -> unsubscribe(carrier, out, m));
                default -> other(carrier, out, m);
            };
        } catch (BayeuxError.Refused r) {
            refuse(out, m, r.error);
            return DONE;
        }
    }

    private static CompletionStage<Void> done(Runnable step) {
        step.run();
        return DONE;
    }

    private CompletionStage<Void> other(Carrier carrier, Outcome out, Inbound m) {
        if (m.isMeta()) {
            throw new BayeuxError.Refused(BayeuxError.META_UNKNOWN);
        }
        BayeuxSession s = session(carrier, m);
        if (m.channel().startsWith("/service/")) {
            // A message to the server, never broadcast: acknowledged (no service is bound by default).
            out.replies.add(Replies.bytes(Replies.success(m, s.id())));
            return DONE;
        }
        return publish(s, out, m);
    }

    private BayeuxSession session(Carrier carrier, Inbound m) {
        BayeuxSession s = sessions.find(m.clientId(), carrier.browserId(), carrier.type() == ConnectionType.WEBSOCKET);
        if (s == null) {
            throw new BayeuxError.Refused(BayeuxError.SESSION_UNKNOWN);
        }
        return s;
    }

    private void refuse(Outcome out, Inbound m, BayeuxError error) {
        ObjectNode reply = Replies.failure(m, error);
        Replies.timesync(reply, m, System.currentTimeMillis());
        refuse(out, reply, error);
    }

    private void refuse(Outcome out, ObjectNode reply, BayeuxError error) {
        server.metrics().error(error.counted());
        out.replies.add(Replies.bytes(reply));
    }

    // ---- meta channels ---------------------------------------------------------------------

    private void handshake(Carrier carrier, Outcome out, Inbound m) {
        if (server.isShuttingDown()) {
            throw new BayeuxError.Refused(BayeuxError.SHUTTING_DOWN);
        }
        List<ConnectionType> common = ConnectionType.common(m.supportedConnectionTypes());
        if (common.isEmpty()) {
            throw new BayeuxError.Refused(BayeuxError.CONNECTION_TYPE_UNSUPPORTED);
        }
        boolean ack = m.ext("ack").asBoolean(false);
        BayeuxSession s = sessions.open(carrier.browserIdForHandshake(), ack);
        if (s == null) {
            throw new BayeuxError.Refused(BayeuxError.TOO_MANY_SESSIONS);
        }
        ObjectNode reply = Replies.success(m, s.id());
        reply.put("version", "1.0");
        reply.put("minimumVersion", "1.0");
        ArrayNode types = reply.putArray("supportedConnectionTypes");
        common.forEach(t -> types.add(t.wireName()));
        reply.set("advice", advice(false).toJson());
        if (ack) {
            Replies.ext(reply).put("ack", true);
        }
        Replies.timesync(reply, m, System.currentTimeMillis());
        out.replies.add(Replies.bytes(reply));
    }

    private void connect(Carrier carrier, Outcome out, Inbound m, boolean last) {
        BayeuxSession s = session(carrier, m);
        if (ConnectionType.byName(m.connectionType()) == null) {
            throw new BayeuxError.Refused(BayeuxError.CONNECTION_TYPE_UNSUPPORTED);
        }
        JsonNode acked = m.ext("ack");
        if (s.ack() && acked.canConvertToLong()) {
            s.acknowledge(acked.asLong());
        }
        long hold = holdMillis(m);
        boolean now = !last || hold == 0 || server.isShuttingDown() || s.hasPending();
        PendingConnect p = new PendingConnect(s, m, now ? 0 : hold);
        if (last) {
            out.connect = p;
        } else {
            out.replies.addAll(answerConnect(p, ConnectHold.End.NOW));
            s.connectEnded(0);
        }
    }

    /** How long to hold a connect: the client's {@code advice.timeout} up to {@code longpoll-max-timeout}, else {@code longpoll-timeout}. */
    private long holdMillis(Inbound m) {
        long asked = m.adviceTimeout();
        long max = server.config().longPollMaxTimeout().toMillis();
        return asked >= 0 ? Math.min(asked, max) : server.config().longPollTimeout().toMillis();
    }

    private void disconnect(Carrier carrier, Outcome out, Inbound m) {
        BayeuxSession s = session(carrier, m);
        s.end(SessionEnd.DISCONNECTED);
        ObjectNode reply = Replies.success(m, s.id());
        Replies.timesync(reply, m, System.currentTimeMillis());
        out.replies.add(Replies.bytes(reply));
    }

    private CompletionStage<Void> subscribe(Carrier carrier, Outcome out, Inbound m) {
        BayeuxSession s = session(carrier, m);
        List<ChannelPattern> patterns = patterns(m);
        for (ChannelPattern p : patterns) {
            if (!server.config().policy().maySubscribe(p)) {
                throw new BayeuxError.Refused(BayeuxError.SUBSCRIBE_DENIED);
            }
        }
        List<CompletableFuture<?>> parts = new ArrayList<>(patterns.size());
        for (ChannelPattern p : patterns) {
            parts.add(s.feed().subscribe(p, Resume.LIVE).toCompletableFuture());
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).handle((v, failure) -> {
            if (failure != null) {
                refuse(out, m, BayeuxError.of(failure));
            } else {
                out.replies.add(Replies.bytes(subscriptionReply(m, s)));
            }
            return null;
        });
    }

    private void unsubscribe(Carrier carrier, Outcome out, Inbound m) {
        BayeuxSession s = session(carrier, m);
        for (ChannelPattern p : patterns(m)) {
            s.feed().unsubscribe(p);
        }
        out.replies.add(Replies.bytes(subscriptionReply(m, s)));
    }

    private static ObjectNode subscriptionReply(Inbound m, BayeuxSession s) {
        ObjectNode reply = Replies.success(m, s.id());
        reply.set("subscription", m.node().get("subscription"));
        Replies.timesync(reply, m, System.currentTimeMillis());
        return reply;
    }

    /** The subscription patterns of {@code m}: Bayeux channels (a leading {@code /}) under Halley's naming rules. */
    private List<ChannelPattern> patterns(Inbound m) {
        List<String> names = m.subscriptions();
        if (names.size() > server.config().maxSubscriptions()) {
            throw new BayeuxError.Refused(BayeuxError.TOO_MANY);
        }
        List<ChannelPattern> out = new ArrayList<>(names.size());
        for (String n : names) {
            try {
                if (!n.startsWith("/")) {
                    throw new BayeuxError.Refused(BayeuxError.CHANNEL_INVALID);
                }
                out.add(ChannelPattern.parse(n));
            } catch (HalleyException e) {
                throw new BayeuxError.Refused(BayeuxError.CHANNEL_INVALID);
            }
        }
        return out;
    }

    // ---- publishing -----------------------------------------------------------------------

    private CompletionStage<Void> publish(BayeuxSession s, Outcome out, Inbound m) {
        String channel = m.channel();
        if (!channel.startsWith("/") || !ChannelName.isValid(channel)) {
            throw new BayeuxError.Refused(BayeuxError.CHANNEL_INVALID);
        }
        if (!server.config().policy().mayPublish(channel)) {
            throw new BayeuxError.Refused(BayeuxError.PUBLISH_DENIED);
        }
        byte[] data;
        try {
            data = server.json().bytes(m.data());
        } catch (HalleyException e) {
            throw new BayeuxError.Refused(BayeuxError.MESSAGE_INVALID);
        }
        if (!s.tryPublish()) {
            throw new BayeuxError.Refused(BayeuxError.TOO_MANY);
        }
        return Publishing.publishAll(server, List.of(new Publishing.Item(channel, data))).handle((published, failure) -> {
            if (failure != null) {
                refuse(out, m, BayeuxError.of(failure));
            } else {
                // No data in a publish reply: that is how CometD's clients tell replies from deliveries.
                out.replies.add(Replies.bytes(Replies.success(m, s.id())));
            }
            return null;
        });
    }

    // ---- answering /meta/connect ----------------------------------------------------------

    /** The advice of a successful connect or handshake. */
    Advice advice(boolean multipleClients) {
        long timeout = server.config().longPollTimeout().toMillis();
        long maxInterval = server.config().bayeuxMaxInterval().toMillis();
        return multipleClients
                ? new Advice(Advice.RETRY, BayeuxSessions.MULTI_CLIENT_INTERVAL, timeout, maxInterval, true)
                : new Advice(Advice.RETRY, 0, timeout, maxInterval, false);
    }

    /**
     * The answer of a connect that ends for {@code end}: what the session has to deliver (with ack,
     * again what is unacknowledged) followed by the connect's reply. Runs on the door's event loop;
     * the door then calls {@link BayeuxSession#connectEnded}.
     */
    List<byte[]> answerConnect(PendingConnect p, ConnectHold.End end) {
        if (end == ConnectHold.End.NOW && server.isShuttingDown()) {
            end = ConnectHold.End.SHUTDOWN;
        }
        List<byte[]> parts = new ArrayList<>();
        Inbound m = p.message;
        ObjectNode reply = switch (end) {
            case NOW, MESSAGES, TIMEOUT -> deliver(p, parts);
            case DISCONNECTED -> Replies.success(m, p.session.id()).set("advice", new Advice(Advice.NONE, 0, -1, -1, false).toJson());
            case ENDED -> counted(Replies.failure(m, BayeuxError.SESSION_UNKNOWN), BayeuxError.SESSION_UNKNOWN);
            case SHUTDOWN -> counted(Replies.failure(m, BayeuxError.SHUTTING_DOWN), BayeuxError.SHUTTING_DOWN);
            case REPLACED -> counted(Replies.failure(m, BayeuxError.DUPLICATE_CONNECT), BayeuxError.DUPLICATE_CONNECT);
        };
        Replies.timesync(reply, m, System.currentTimeMillis());
        parts.add(Replies.bytes(reply));
        return parts;
    }

    private ObjectNode deliver(PendingConnect p, List<byte[]> parts) {
        BayeuxSession.Outgoing out = p.session.takeForConnect();
        if (out == null) {
            return counted(Replies.failure(p.message, BayeuxError.SESSION_UNKNOWN), BayeuxError.SESSION_UNKNOWN);
        }
        parts.addAll(out.messages());
        server.metrics().delivered(out.messages().size());
        ObjectNode reply = Replies.success(p.message, p.session.id());
        reply.set("advice", advice(p.isMultipleClients()).toJson());
        if (out.batch() > 0) {
            Replies.ext(reply).put("ack", out.batch());
        }
        return reply;
    }

    private ObjectNode counted(ObjectNode reply, BayeuxError error) {
        server.metrics().error(error.counted());
        return reply;
    }

    @Override
    public String toString() {
        return "BayeuxEngine[" + sessions + "]";
    }
}
