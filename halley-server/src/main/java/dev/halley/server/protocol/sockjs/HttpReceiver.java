package dev.halley.server.protocol.sockjs;

import dev.halley.core.CloseReason;
import dev.halley.server.EventLoops;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.transport.stream.SilenceTimer;
import dev.halley.server.transport.stream.WritabilityWatch;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;

/**
 * One receiving HTTP request of a session, in the shape of its transport ({@link HttpFraming}):
 * <ul>
 *   <li>a <b>poll</b> ({@code xhr}, {@code jsonp}) is answered with one frame: the open frame of
 *       a new session, what the session holds ({@code a[…]}), a heartbeat after {@code heartbeat}
 *       of silence, or a close frame; it detaches from the session as it answers;</li>
 *   <li>a <b>stream</b> ({@code xhr_streaming}, {@code eventsource}, {@code htmlfile}) sends its
 *       prelude, then frames, each its own chunk, until it has carried the service's budget
 *       (framing included, prelude not): then it detaches and ends, and the client opens the next
 *       one. It drains the session only while the socket is writable; a socket unwritable for
 *       {@code unwritable-timeout} closes the session as {@code slow}.</li>
 * </ul>
 * A request the session refuses (another receiver is attached, or it is closed) gets that frame
 * in the same shape and ends. The connection dropping while attached ends the session
 * ({@code c[1002,…]}); a graceful shutdown closes it with {@code c[1001,"shutdown"]}.
 *
 * <p>Everything runs on the request's event loop; session calls and timers hop there.
 * Frames are heap bytes wrapped into the written chunks, which Netty releases.
 */
final class HttpReceiver implements Receiver, HttpExchange.Holder {
    private enum State { STARTING, WAITING, STREAMING, ENDED }

    private final HttpExchange ex;
    private final ServerContext server;
    private final SockJsSession session;
    private final HttpFraming framing;
    private final SockJsHeaders headers;
    /** Stream budget in bytes, or 0 for a poll. */
    private final long budget;
    private final EventExecutor loop;
    private final Channel channel;
    private final SilenceTimer heartbeat;
    /** Made when a stream first meets an unwritable socket. */
    private WritabilityWatch writability;
    private State state = State.STARTING;
    private long written;
    private boolean unflushed;

    private HttpReceiver(HttpExchange ex, SockJsSession session, HttpFraming framing, SockJsHeaders headers, long budget) {
        this.ex = ex;
        this.server = ex.server();
        this.session = session;
        this.framing = framing;
        this.headers = headers;
        this.budget = budget;
        this.loop = ex.ctx().executor();
        this.channel = ex.ctx().channel();
        this.heartbeat = new SilenceTimer(server.wheel(loop), server.config().heartbeat().toNanos(), this::silence);
    }

    /** Answers {@code ex} as a poll of {@code session}. Event loop only. */
    static void poll(HttpExchange ex, SockJsSession session, HttpFraming framing, SockJsHeaders headers) {
        new HttpReceiver(ex, session, framing, headers, 0).start();
    }

    /** Streams {@code session} to {@code ex} until {@code budget} bytes. Event loop only. */
    static void stream(HttpExchange ex, SockJsSession session, HttpFraming framing, SockJsHeaders headers, int budget) {
        new HttpReceiver(ex, session, framing, headers, budget).start();
    }

    private boolean streaming() {
        return budget > 0;
    }

    private void start() {
        if (streaming()) {
            ex.startStream(framing.contentType(), h -> {
                headers.session(h);
                h.set("X-Accel-Buffering", "no");
            });
            ex.write(Unpooled.wrappedBuffer(framing.prelude()));
            unflushed = true;
        }
        SockJsSession.Attach attach = session.attach(this);
        if (attach instanceof SockJsSession.Attach.Refused refused) {
            finish(refused.frame());
            return;
        }
        ex.hold(this);
        boolean opened = attach instanceof SockJsSession.Attach.Opened;
        if (!streaming()) {
            if (opened) {
                session.release(this); // a poll ends with the open frame
                answer(Frames.OPEN);
                session.opened();
            } else {
                state = State.WAITING;
                heartbeat.start();
                take();
            }
            return;
        }
        state = State.STREAMING;
        heartbeat.start();
        if (opened) {
            write(Frames.OPEN);
            flush();
            session.opened();
        }
        drain();
    }

    // ---- from the session (any thread) -----------------------------------------------------

    @Override
    public void ready() {
        execute(() -> {
            if (state == State.WAITING) {
                take();
            } else {
                drain();
            }
        });
    }

    @Override
    public void closed(Frames.Close frame) {
        execute(() -> finish(frame));
    }

    // ---- polls -----------------------------------------------------------------------------

    /** A waiting poll takes what the session holds and answers with it, or keeps waiting. */
    private void take() {
        List<byte[]> items = session.take(this, Long.MAX_VALUE, true);
        if (items != null && !items.isEmpty()) {
            server.metrics().delivered(items.size());
            answer(Frames.array(items));
        }
    }

    /** The one answer of a poll. */
    private void answer(byte[] frame) {
        state = State.ENDED;
        release();
        ex.send(HttpResponseStatus.OK, framing.contentType(), Unpooled.wrappedBuffer(framing.wrap(frame)), headers::session);
    }

    // ---- streams ---------------------------------------------------------------------------

    /** Writes what the session holds while the socket is writable and the budget lasts; one flush. */
    private void drain() {
        if (state != State.STREAMING) {
            return;
        }
        while (channel.isWritable() && written < budget) {
            List<byte[]> items = session.take(this, budget - written, false);
            if (items == null || items.isEmpty()) {
                break; // null: the session let go of this stream; its close frame is on its way
            }
            server.metrics().delivered(items.size());
            write(Frames.array(items));
        }
        if (written >= budget && session.release(this)) {
            endStream();
            return;
        }
        flush();
        if (!channel.isWritable()) {
            writability().unwritable();
        }
    }

    @Override
    public void writabilityChanged() {
        if (state == State.STREAMING) {
            writability().changed();
        }
    }

    private WritabilityWatch writability() {
        if (writability == null) {
            writability = new WritabilityWatch(server, channel, this::drain, this::stuck);
        }
        return writability;
    }

    private void write(byte[] frame) {
        byte[] bytes = framing.wrap(frame);
        written += bytes.length;
        heartbeat.active();
        ex.write(Unpooled.wrappedBuffer(bytes));
        unflushed = true;
    }

    private void flush() {
        if (unflushed) {
            unflushed = false;
            ex.flush();
        }
    }

    private void endStream() {
        state = State.ENDED;
        release();
        unflushed = false;
        ex.endStream();
    }

    /** The client does not read: it cannot even be told. */
    private void stuck() {
        if (state == State.STREAMING) {
            state = State.ENDED;
            release();
            channel.close();
            session.close(CloseReason.SLOW);
        }
    }

    // ---- both ------------------------------------------------------------------------------

    /** After a silence of {@code heartbeat}: a poll answers {@code h}; a stream writes it. */
    private void silence() {
        if (state == State.WAITING) {
            if (session.release(this)) {
                answer(Frames.HEARTBEAT);
            }
        } else if (state == State.STREAMING && channel.isWritable()) {
            write(Frames.HEARTBEAT);
            if (written >= budget && session.release(this)) {
                endStream();
                return;
            }
            flush();
        }
    }

    /** The last frame: the session refused or closed. */
    private void finish(Frames.Close frame) {
        if (state == State.ENDED || !ex.isOpen()) {
            return;
        }
        if (streaming()) {
            write(frame.bytes());
            endStream();
        } else {
            answer(frame.bytes());
        }
    }

    @Override
    public void shutdown() {
        session.close(CloseReason.SHUTDOWN);
    }

    @Override
    public void connectionClosed() {
        if (state != State.ENDED) {
            state = State.ENDED;
            release();
            session.interrupted(this);
        }
    }

    private void release() {
        heartbeat.stop();
        if (writability != null) {
            writability.release();
        }
    }

    private void execute(Runnable task) {
        EventLoops.execute(loop, task);
    }

    @Override
    public String toString() {
        return "HttpReceiver[" + state + ", " + framing.getClass().getSimpleName() + (streaming() ? ", written=" + written + "/" + budget : "")
                + ", " + session + ", " + channel + "]";
    }
}
