package dev.halley.server.transport.stream;

import dev.halley.core.CloseReason;
import dev.halley.core.Cursor;
import dev.halley.core.Delivery;
import dev.halley.core.Feed;
import dev.halley.core.Gap;
import dev.halley.core.HalleyException;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.core.SubscribeResult;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.transport.SubscribeParams;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One streaming response (NDJSON, forever frame, htmlfile, SSE): subscribes a {@link Feed}
 * and writes what it delivers as one chunked HTTP response, shaped by a {@link StreamFraming}.
 *
 * <p><b>Life.</b> Subscribe first (a failure is still a JSON error with its status), then the
 * headers (no-cache, {@code X-Accel-Buffering: no}), the preamble and the opening cursor. The
 * stream then carries batches, each followed by its cursor, and heartbeats after
 * {@code heartbeat} of silence. It ends:
 * <ul>
 *   <li>when it has carried {@code stream-budget} bytes after the preamble: reconnect notice
 *       {@code budget}, terminating chunk; the connection stays open for the client's next
 *       request (clients re-open at once with the cursor);</li>
 *   <li>on graceful shutdown: notice {@code shutdown}, terminating chunk, connection closed;</li>
 *   <li>when the feed overflows (the client is behind by more than its outbound bound): notice
 *       {@code slow}, terminating chunk, connection closed;</li>
 *   <li>when the socket stays unwritable for {@code unwritable-timeout}: the connection is closed
 *       as {@link CloseReason#SLOW} without a notice (a client that does not read cannot get one);</li>
 *   <li>when the client goes away: the feed is closed and the timers cancelled.</li>
 * </ul>
 *
 * <p><b>Backpressure.</b> The feed is drained only while the channel is writable, in batches of
 * at most {@link #MAX_BATCH}, one chunk per batch and one flush per drain; the drain resumes when
 * the channel becomes writable again. The feed's own bound then protects the server.
 *
 * <p><b>Threading and buffers.</b> Everything runs on the connection's event loop; the feed
 * listener and the timers hop onto it. Every buffer allocated here is handed to
 * {@link HttpExchange#write} (Netty releases it once written or failed) or released here when
 * it stays empty or a framing fails.
 */
public final class StreamingResponse extends SilenceTimer implements Feed.Listener, HttpExchange.Holder {
    /** Deliveries taken from the feed per chunk; bounds the budget overshoot to one batch. */
    static final int MAX_BATCH = 64;

    private enum State { SUBSCRIBING, STREAMING, ENDED }

    private final HttpExchange ex;
    private final StreamFraming framing;
    /** Made when the stream first meets an unwritable socket. */
    private WritabilityWatch writability;
    private Feed feed;
    /** The resume point after everything written so far. */
    private Cursor cursor;
    private long written;
    private long messages;
    private boolean unflushed;
    private State state = State.SUBSCRIBING;

    /**
     * The stream is its own heartbeat ({@link SilenceTimer}, so that an idle stream holds no timer
     * object besides itself); what it can find from its exchange it does not keep.
     */
    private StreamingResponse(HttpExchange ex, StreamFraming framing) {
        super(ex.server().wheel(ex.ctx().executor()), ex.server().config().heartbeat().toNanos());
        this.ex = ex;
        this.framing = framing;
    }

    private ServerContext server() {
        return ex.server();
    }

    private Channel channel() {
        return ex.ctx().channel();
    }

    private EventExecutor loop() {
        return ex.ctx().executor();
    }

    private long budget() {
        return server().config().streamBudget();
    }

    private WritabilityWatch writability() {
        if (writability == null) {
            writability = new WritabilityWatch(server(), channel(), this::writable, this::unwritableTooLong);
        }
        return writability;
    }

    /** Starts streaming {@code params}' channels to {@code ex} in {@code framing}'s shape. Event loop only. */
    public static void start(HttpExchange ex, SubscribeParams params, StreamFraming framing) {
        new StreamingResponse(ex, framing).subscribe(params);
    }

    private void subscribe(SubscribeParams params) {
        feed = server().hub().newFeed(server().feedLimits(), this);
        ex.hold(this);
        params.subscribeAll(feed, loop()).whenComplete(this::subscribed);
    }

    private void subscribed(List<SubscribeResult> results, Throwable failure) {
        if (state != State.SUBSCRIBING) {
            return;
        }
        if (failure != null) {
            state = State.ENDED;
            feed.close();
            HalleyException h = HalleyException.of(failure);
            ex.sendError(h.error(), h.getMessage());
            return;
        }
        state = State.STREAMING;
        cursor = feed.cursor();
        ex.startStream(framing.contentType(), h -> h.set("X-Accel-Buffering", "no"));
        ByteBuf out = channel().alloc().buffer(2560);
        framing.preamble(out);
        ex.write(out);
        if (server().isShuttingDown()) {
            end(CloseReason.SHUTDOWN);
            return;
        }
        write(frame(o -> framing.opening(cursor, o)));
        start(); // the heartbeat's silence counts from now
        drain();
        flushIfNeeded();
    }

    // ---- feed events (any thread) ----------------------------------------------------------

    @Override
    public void onReady() {
        loop().execute(this::drain);
    }

    @Override
    public void onOverflow() {
        loop().execute(this::overflowed);
    }

    private void overflowed() {
        if (state == State.SUBSCRIBING) {
            // Nothing was written: the client retries with the cursor it has.
            state = State.ENDED;
            server().metrics().closed(CloseReason.SLOW);
            ex.sendError(ReplyError.UNAVAILABLE, "Too many messages at once (slow); retry with the same cursor.");
        } else {
            end(CloseReason.SLOW);
        }
    }

    // ---- draining --------------------------------------------------------------------------

    /** Writes what the feed holds while the channel is writable and the budget lasts; one flush. */
    private void drain() {
        if (state != State.STREAMING) {
            return;
        }
        long before = messages;
        while (channel().isWritable() && written < budget()) {
            Feed.Batch batch = feed.take(MAX_BATCH);
            if (batch.isEmpty()) {
                break;
            }
            write(batch(batch));
        }
        if (messages > before) {
            server().metrics().delivered((int) (messages - before));
        }
        if (written >= budget()) {
            end(CloseReason.BUDGET);
            return;
        }
        flushIfNeeded();
        if (!channel().isWritable()) {
            writability().unwritable();
        }
    }

    /**
     * One batch as one chunk: its deliveries in order, then its cursor. The cached encodings are
     * shared heap arrays; copying them into one pooled buffer costs the one copy a heap write to
     * the socket would make anyway, and gives one chunk per batch instead of one per message.
     * A batch holds at most what the feed held, so the feed's bound also bounds this buffer.
     */
    private ByteBuf batch(Feed.Batch batch) {
        int estimate = 64;
        for (Delivery d : batch.deliveries()) {
            estimate += d instanceof Message m ? m.json().length + 96 : 96;
        }
        ByteBuf out = channel().alloc().buffer(estimate);
        try {
            // Following one channel, the resume point after a message is the message's own, built
            // and encoded once for all its subscribers (Cursor.after).
            boolean alone = feed.followsOneChannel();
            Cursor at = cursor;
            Message last = null;
            for (Delivery d : batch.deliveries()) {
                last = d instanceof Message m ? m : null;
                if (d instanceof Message m) {
                    Cursor after = null;
                    if (framing.wantsMessageCursor()) {
                        at = alone ? Cursor.after(m) : at.advance(m);
                        after = at;
                    }
                    framing.message(m, after, out);
                    messages++;
                } else if (d instanceof Gap g) {
                    framing.gap(g, out);
                }
            }
            boolean endsWithMessage = last != null;
            cursor = alone && endsWithMessage ? Cursor.after(last) : batch.cursor();
            if (framing.wantsMessageCursor() && !endsWithMessage) {
                // Where messages carry the cursor (SSE ids), a batch ending in a gap notice must still
                // move the resume point past the notice, or a reconnect would report the gap again.
                framing.opening(cursor, out);
            } else {
                framing.cursor(cursor, out);
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Hands {@code out} to the exchange (or releases it when empty) and counts it toward the budget. */
    private void write(ByteBuf out) {
        int n = out.readableBytes();
        if (n == 0) {
            out.release();
            return;
        }
        written += n;
        active();
        unflushed = true;
        ex.write(out);
    }

    private void flushIfNeeded() {
        if (unflushed) {
            unflushed = false;
            ex.flush();
        }
    }

    private ByteBuf frame(Consumer<ByteBuf> writer) {
        ByteBuf out = channel().alloc().buffer(128);
        try {
            writer.accept(out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    // ---- heartbeat and writability -------------------------------------------------------

    /** After a silence of {@code heartbeat}; an unwritable channel still has bytes to deliver, which keep it alive. */
    @Override
    protected void silent() {
        if (state != State.STREAMING || !channel().isWritable()) {
            return;
        }
        write(frame(framing::heartbeat));
        if (written >= budget()) {
            end(CloseReason.BUDGET);
            return;
        }
        flushIfNeeded();
    }

    @Override
    public void writabilityChanged() {
        if (state == State.STREAMING) {
            writability().changed();
        }
    }

    private void writable() {
        if (state == State.STREAMING) {
            drain();
        }
    }

    /** The client does not read: a notice could not reach it. It resumes from its last cursor. */
    private void unwritableTooLong() {
        if (state != State.STREAMING) {
            return;
        }
        state = State.ENDED;
        release();
        server().metrics().closed(CloseReason.SLOW);
        channel().close();
    }

    // ---- ending ----------------------------------------------------------------------------

    @Override
    public void shutdown() {
        // While subscribing, subscribed() sees the shutdown and ends the stream at once.
        end(CloseReason.SHUTDOWN);
    }

    /** The server ends the stream: notice, trailer, terminating chunk; closes unless it was the budget. */
    private void end(CloseReason reason) {
        if (state != State.STREAMING) {
            return;
        }
        state = State.ENDED;
        release();
        write(frame(o -> {
            framing.reconnect(reason, cursor, o);
            framing.trailer(o);
        }));
        server().metrics().closed(reason);
        unflushed = false;
        ChannelFuture last = ex.endStream();
        if (reason != CloseReason.BUDGET) {
            closeWhenWritten(last);
        }
    }

    /** Closes after {@code last} is written, or after {@code unwritable-timeout} if the client never reads it. */
    private void closeWhenWritten(ChannelFuture last) {
        last.addListener(ChannelFutureListener.CLOSE);
        if (!last.isDone()) {
            server().timer().newTimeout(t -> channel().close(), server().config().unwritableTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void connectionClosed() {
        if (state != State.ENDED) {
            state = State.ENDED;
            release();
        }
    }

    /** Drops the subscription, the timers and the writability handler. */
    private void release() {
        if (feed != null) {
            feed.close();
        }
        stop();
        if (writability != null) {
            writability.release();
        }
    }

    @Override
    public String toString() {
        return "StreamingResponse[" + state + ", " + framing.getClass().getSimpleName() + ", written=" + written + "/" + budget()
                + "B, messages=" + messages + ", writable=" + channel().isWritable() + ", " + feed + ", " + channel() + "]";
    }
}
