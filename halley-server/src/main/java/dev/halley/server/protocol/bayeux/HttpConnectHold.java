package dev.halley.server.protocol.bayeux;

import dev.halley.server.http.HttpExchange;
import io.netty.util.Timeout;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code /meta/connect} held in an HTTP exchange: one registration on its session and one
 * timer on the shared wheel, no thread. It ends when the session has messages, when its time is
 * up, when a newer connect of the session replaces it, when the session ends, at shutdown, or when
 * the client closes the connection (then nothing is answered and the session's expiry clock
 * starts). It holds one of its browser's long-poll slots until it ends.
 */
final class HttpConnectHold implements ConnectHold, HttpExchange.Holder {
    private final HttpBatch batch;
    private final PendingConnect connect;
    private final BayeuxSessions sessions;
    private final String browserId;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Timeout timeout;

    /** {@code batch}'s connect, for which the caller took a browser slot. */
    HttpConnectHold(HttpBatch batch, PendingConnect connect, BayeuxSessions sessions) {
        this.batch = batch;
        this.connect = connect;
        this.sessions = sessions;
        this.browserId = batch.browserId();
    }

    /** On the connection's loop: registers with the session, or answers at once when it has ended. */
    void start() {
        BayeuxSession session = connect.session;
        batch.exchange().hold(this);
        timeout = sessions.server().timer().newTimeout(t -> {
            if (session.takeHold(this)) {
                release(End.TIMEOUT);
            }
        }, connect.holdMillis, TimeUnit.MILLISECONDS);
        if (!session.hold(this)) {
            release(End.ENDED);
        } else if (sessions.server().isShuttingDown() && session.takeHold(this)) {
            // The shutdown began after the batch was read, maybe before this hold could hear of it.
            release(End.SHUTDOWN);
        }
    }

    @Override
    public void release(End why) {
        if (!end()) {
            return;
        }
        try {
            batch.exchange().ctx().executor().execute(() -> batch.answerConnect(connect, why));
        } catch (RejectedExecutionException e) {
            // The event loop is going away with the server; so is the connection.
        }
    }

    @Override
    public void shutdown() {
        if (connect.session.takeHold(this)) {
            release(End.SHUTDOWN);
        }
    }

    /** The client closed the connection: nobody to answer; the session's expiry clock starts. */
    @Override
    public void connectionClosed() {
        if (connect.session.takeHold(this) && end()) {
            connect.session.connectEnded(0);
        }
    }

    /** Once: stops the timer and gives the browser's slot back. */
    private boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        if (timeout != null) {
            timeout.cancel();
        }
        sessions.releaseBrowserSlot(browserId);
        return true;
    }

    @Override
    public String toString() {
        return "HttpConnectHold[" + connect + (ended.get() ? ", ended" : "") + "]";
    }
}
