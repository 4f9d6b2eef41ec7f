package dev.halley.server.protocol.bayeux;

import dev.halley.core.ReplyError;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.ScriptSafe;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Bayeux request over HTTP ({@code long-polling} or, with a callback, {@code callback-polling})
 * and its one answer: the replies at once, or, when the batch ends in a {@code /meta/connect} to
 * hold, later through an {@link HttpConnectHold}. Everything but {@link #processed}'s hop runs on
 * the connection's event loop.
 */
final class HttpBatch implements BayeuxEngine.Carrier {
    private static final Logger log = LoggerFactory.getLogger(HttpBatch.class);

    private final BayeuxEngine engine;
    private final HttpExchange ex;
    private final String callback;
    private final String browserId;
    /** A browser id made for this handshake: the answer sets it as the cookie. */
    private String newBrowserId;
    private List<byte[]> replies = List.of();

    HttpBatch(BayeuxEngine engine, HttpExchange ex, String callback, String browserId) {
        this.engine = engine;
        this.ex = ex;
        this.callback = callback;
        this.browserId = browserId;
    }

    @Override
    public ConnectionType type() {
        return callback == null ? ConnectionType.LONG_POLLING : ConnectionType.CALLBACK_POLLING;
    }

    @Override
    public String browserId() {
        return browserId != null ? browserId : newBrowserId;
    }

    @Override
    public String browserIdForHandshake() {
        if (browserId() == null) {
            newBrowserId = engine.sessions().newId();
        }
        return browserId();
    }

    HttpExchange exchange() {
        return ex;
    }

    /** The engine finished the batch (any thread): answer or hold on the connection's loop. */
    void processed(BayeuxEngine.Outcome out, Throwable failure) {
        if (ex.ctx().executor().inEventLoop()) {
            finish(out, failure);
            return;
        }
        try {
            ex.ctx().executor().execute(() -> finish(out, failure));
        } catch (RejectedExecutionException e) {
            // The event loop is going away with the server; so is the connection.
        }
    }

    private void finish(BayeuxEngine.Outcome out, Throwable failure) {
        if (failure != null) {
            log.warn("Bayeux batch failed on {}: {}", ex.ctx().channel(), failure.toString(), failure);
            if (ex.isOpen()) {
                fail(ReplyError.INTERNAL, "The request could not be handled.");
            }
            return;
        }
        replies = out.replies;
        PendingConnect connect = out.connect;
        if (connect == null) {
            answer(List.of());
        } else if (!ex.isOpen()) {
            connect.session.connectEnded(0);
        } else if (connect.holdMillis == 0) {
            answerConnect(connect, ConnectHold.End.NOW);
        } else if (!engine.sessions().takeBrowserSlot(browserId(), connect.session.isHeld())) {
            // Another tab of this browser holds the long-poll its HTTP/1.1 connections allow.
            connect.multipleClients();
            answerConnect(connect, ConnectHold.End.NOW);
        } else {
            new HttpConnectHold(this, connect, engine.sessions()).start();
        }
    }

    /**
     * Answers {@code connect} for {@code end} with the batch's other replies before it, then starts
     * the session's expiry clock. A connection already gone takes nothing from the session.
     */
    void answerConnect(PendingConnect connect, ConnectHold.End end) {
        if (ex.isOpen()) {
            answer(engine.answerConnect(connect, end));
        }
        connect.session.connectEnded(connect.advisedInterval());
    }

    private void answer(List<byte[]> more) {
        List<byte[]> parts = new ArrayList<>(replies.size() + more.size());
        parts.addAll(replies);
        parts.addAll(more);
        byte[] body = Replies.array(parts);
        Consumer<HttpHeaders> cookie = newBrowserId == null ? null
                : h -> h.add(HttpHeaderNames.SET_COOKIE, BayeuxRoute.COOKIE + "=" + newBrowserId + "; Path=/; HttpOnly");
        if (callback != null) {
            ex.sendJsonp(callback, ScriptSafe.escape(body, false), cookie);
        } else {
            ex.send(HttpResponseStatus.OK, "application/json; charset=UTF-8", Unpooled.wrappedBuffer(body), cookie);
        }
    }

    private void fail(ReplyError error, String message) {
        if (callback != null) {
            ex.sendJsonpError(callback, error, message);
        } else {
            ex.sendError(error, message);
        }
    }

    @Override
    public String toString() {
        return "HttpBatch[" + type().wireName() + ", " + ex + "]";
    }
}
