package dev.halley.server.transport;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Delivery;
import dev.halley.core.Feed;
import dev.halley.core.Gap;
import dev.halley.core.HalleyException;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.core.SubscribeResult;
import dev.halley.server.Deadline;
import dev.halley.server.ServerContext;
import dev.halley.server.http.CallbackName;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Json;
import dev.halley.server.http.Route;
import dev.halley.server.http.ScriptSafe;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Polling ({@code GET /poll}) and long-polling ({@code GET /longpoll}), as JSON or, with
 * {@code callback=}, JSONP. One answer per request:
 * {@code {"messages":[…],"cursor":"…","recovered":true}} (plus {@code "gaps":[…]} when history
 * did not reach back). A long-poll is held until at least one message is there, or
 * {@code timeout=} seconds (default {@code longpoll-timeout}) pass; it is a registration and one
 * deadline on its event loop's wheel, no thread. Messages that arrive in the same event-loop turn go out
 * in the same answer. The native protocol keeps no session: the next request resumes from the
 * returned cursor.
 *
 * <p>JSONP: the callback is checked first; a bad one is a plain JSON 400 that does not echo it.
 * Once the callback is valid, every error is a JSONP call too,
 * {@code /**}{@code /cb({"error":…,"message":…});} with status 200, because a script tag runs only
 * 2xx answers and would otherwise leave the page with nothing but a silent load error.
 */
public final class PollTransport implements Route {
    private final ServerContext server;
    private final boolean longPoll;

    public PollTransport(ServerContext server, boolean longPoll) {
        this.server = server;
        this.longPoll = longPoll;
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        String callback = CallbackName.optional(ex);
        try {
            SubscribeParams params = SubscribeParams.from(ex, null);
            long timeoutMillis = longPoll ? timeoutMillis(ex.param("timeout")) : 0;
            new Pending(ex, callback, timeoutMillis).start(params);
        } catch (HalleyException e) {
            if (callback == null) {
                throw e;
            }
            ex.sendJsonpError(callback, e.error(), e.getMessage());
        }
    }

    private long timeoutMillis(String param) {
        long max = server.config().longPollMaxTimeout().toMillis();
        if (param == null || param.isEmpty()) {
            return server.config().longPollTimeout().toMillis();
        }
        try {
            double seconds = Double.parseDouble(param);
            if (!(seconds >= 0) || Double.isInfinite(seconds)) {
                throw new NumberFormatException();
            }
            return Math.min(max, (long) (seconds * 1000));
        } catch (NumberFormatException e) {
            throw new HalleyException(ReplyError.BAD_REQUEST, "timeout= must be a number of seconds >= 0.");
        }
    }

    /**
     * One request being answered; every method runs on the connection's event loop. A held poll
     * is its own deadline on the loop's wheel.
     */
    private final class Pending extends Deadline implements Feed.Listener, HttpExchange.Holder {
        private final HttpExchange ex;
        private final String callback;
        private final long timeoutMillis;
        private final EventExecutor loop;
        private Feed feed;
        private boolean subscribed;
        private boolean finished;

        Pending(HttpExchange ex, String callback, long timeoutMillis) {
            this.ex = ex;
            this.callback = callback;
            this.timeoutMillis = timeoutMillis;
            this.loop = ex.ctx().executor();
        }

        void start(SubscribeParams params) {
            feed = server.hub().newFeed(server.feedLimits(), this);
            ex.hold(this);
            params.subscribeAll(feed, loop).whenComplete(this::subscribed);
        }

        private void subscribed(List<SubscribeResult> results, Throwable failure) {
            if (finished) {
                return;
            }
            if (failure != null) {
                finished = true;
                feed.close();
                HalleyException h = HalleyException.of(failure);
                fail(h.error(), h.getMessage());
                return;
            }
            subscribed = true;
            if (!longPoll || timeoutMillis == 0 || feed.hasPending() || server.isShuttingDown()) {
                answer();
            } else {
                schedule(server.wheel(loop), TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
            }
        }

        @Override
        public void onReady() {
            loop.execute(() -> {
                if (subscribed) {
                    answer();
                }
            });
        }

        @Override
        public void onOverflow() {
            loop.execute(() -> {
                if (!finished) {
                    finished = true;
                    cancel();
                    server.metrics().closed(CloseReason.SLOW);
                    fail(ReplyError.UNAVAILABLE, "Too many messages at once (slow); poll again with the same cursor.");
                }
            });
        }

        private void answer() {
            if (finished) {
                return;
            }
            finished = true;
            cancel();
            Feed.Batch batch = feed.take(Integer.MAX_VALUE);
            boolean alone = feed.followsOneChannel();
            feed.close();
            if (!ex.isOpen()) {
                return;
            }
            byte[] body = body(batch, alone);
            server.metrics().delivered(batch.deliveries().size());
            if (callback != null) {
                ex.sendJsonp(callback, ScriptSafe.escape(body, false));
            } else {
                ex.sendJson(HttpResponseStatus.OK, body);
            }
        }

        /** An error answer: JSON with its status, or a JSONP error (status 200) when a callback was given. */
        private void fail(ReplyError error, String message) {
            if (callback == null) {
                ex.sendError(error, message);
            } else {
                ex.sendJsonpError(callback, error, message);
            }
        }

        /** The hold is over: an empty answer. */
        @Override
        protected void expired() {
            answer();
        }

        @Override
        public void shutdown() {
            answer();
        }

        @Override
        public void connectionClosed() {
            finished = true;
            cancel();
            feed.close();
        }
    }

    /**
     * {@code {"messages":[…],"cursor":"…","recovered":bool[,"gaps":[…]]}}. A poll of one channel
     * whose answer ends with a message resumes after that message: {@link Cursor#after}, encoded
     * once for every poller it answers.
     */
    static byte[] body(Feed.Batch batch, boolean oneChannel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes("{\"messages\":[".getBytes(StandardCharsets.US_ASCII));
        Set<String> gaps = new LinkedHashSet<>();
        boolean first = true;
        Message last = null;
        for (Delivery d : batch.deliveries()) {
            last = d instanceof Message m ? m : null;
            if (d instanceof Gap g) {
                gaps.add(g.channel());
            } else if (d instanceof Message m) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                out.writeBytes(m.json());
            }
        }
        Cursor resume = oneChannel && last != null ? Cursor.after(last) : batch.cursor();
        StringBuilder tail = new StringBuilder(64).append("],\"cursor\":");
        // A cursor is base64url ([A-Za-z0-9_-]): nothing in it needs escaping, and quoting it char
        // by char was a large share of a multi-channel long-poll's CPU.
        tail.append('"').append(resume.encode()).append("\",\"recovered\":").append(gaps.isEmpty());
        if (!gaps.isEmpty()) {
            tail.append(",\"gaps\":[");
            boolean f = true;
            for (String g : gaps) {
                tail.append(f ? "" : ",");
                Json.quote(tail, g);
                f = false;
            }
            tail.append(']');
        }
        tail.append('}');
        out.writeBytes(tail.toString().getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
