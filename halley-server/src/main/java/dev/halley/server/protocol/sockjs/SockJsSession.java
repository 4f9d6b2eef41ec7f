package dev.halley.server.protocol.sockjs;

import dev.halley.core.CloseReason;
import dev.halley.core.Delivery;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import dev.halley.server.EventLoops;
import io.netty.util.Timeout;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One SockJS session: not a connection, it outlives the requests that carry it. Polls and
 * streams {@linkplain #attach attach} as its {@link Receiver} one at a time and take what it
 * queued; sends ({@code xhr_send}, {@code jsonp_send}) reach its handler through {@link #receive}.
 * A WebSocket session is the same object with its connection as the only receiver.
 *
 * <p><b>Life.</b> {@code NEW} until the first receiver attaches and gets the open frame, then
 * {@code OPEN}; without a receiver for {@code sockjs-disconnect-delay} it times out. Once
 * {@code CLOSED} (by its service, the client, or the server) it answers every request with its
 * close frame for {@code sockjs-disconnect-delay} more, then leaves the registry. A receiving
 * request while another is attached gets {@code c[2010,"Another connection still open"]}; a
 * receiver whose connection drops before it was answered closes the session with
 * {@code c[1002,"Connection interrupted"]}.
 *
 * <p><b>Bounds.</b> The outgoing queue holds at most {@code outbound-max-messages} messages and
 * {@code outbound-max-bytes} bytes; going over closes the session as {@link CloseReason#SLOW}
 * ({@link Offer#OVERFLOW}). A handler that feeds it from elsewhere (the channel bridge) asks
 * {@link #hasRoom()} first and is told {@link SessionHandler#onRoom} when a receiver has made room.
 *
 * <p><b>Threading.</b> The transport state is guarded by this object's monitor and touched from
 * any event loop; decisions are made under it and acted on after it (receivers and the handler
 * are never called under it). The handler runs on the session's own event loop (the one of the
 * request that created it), one call at a time.
 */
final class SockJsSession {
    /** What an attaching receiver is told. */
    sealed interface Attach {
        /** The session is new: write the open frame. */
        record Opened() implements Attach {
        }

        /** Attached to an open session: take what it holds. */
        record Joined() implements Attach {
        }

        /** Not attached: write {@code frame} (another receiver is attached, or the session closed) and end. */
        record Refused(Frames.Close frame) implements Attach {
        }
    }

    /** What became of an outgoing message. */
    enum Offer { QUEUED, CLOSED, OVERFLOW }

    private enum State { NEW, OPEN, CLOSED }

    private static final Attach OPENED = new Attach.Opened();
    private static final Attach JOINED = new Attach.Joined();
    private static final Attach ANOTHER = new Attach.Refused(Frames.ANOTHER_CONNECTION);
    /** A message's JSON as a SockJS string, encoded once for every framed session it reaches. */
    private static final Message.Slot<byte[]> QUOTED = new Message.Slot<>();

    private final Sessions sessions;
    private final SockJsService service;
    /** The session id, or null for a WebSocket session (not in the registry). */
    private final String id;
    /** Raw WebSocket: messages go out as they are, not as SockJS strings. */
    private final boolean raw;
    private final EventExecutor loop;
    private final SessionHandler handler;
    private final int maxMessages;
    private final long maxBytes;

    // Guarded by this.
    private State state = State.NEW;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private Receiver receiver;
    private boolean signalled;
    /** The handler was told there was no room; it hears when there is. */
    private boolean starved;
    private Frames.Close closeFrame;
    /** Disconnect timeout while open without a receiver; once closed, the end of the lingering. */
    private Timeout timeout;

    /** On the session's event loop only: whether the handler was opened and not yet closed. */
    private boolean handlerOpen;

    SockJsSession(Sessions sessions, SockJsService service, String id, boolean raw, EventExecutor loop) {
        this.sessions = sessions;
        this.service = service;
        this.id = id;
        this.raw = raw;
        this.loop = loop;
        this.maxMessages = sessions.server().config().outboundMaxMessages();
        this.maxBytes = sessions.server().config().outboundMaxBytes();
        this.handler = service.handlers().apply(this);
    }

    String id() {
        return id;
    }

    SockJsService service() {
        return service;
    }

    /** The event loop the handler runs on. */
    EventExecutor loop() {
        return loop;
    }

    // ---- receivers -------------------------------------------------------------------------

    /** Attaches {@code r} as the receiver, unless the session is closed or has one. */
    Attach attach(Receiver r) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return new Attach.Refused(closeFrame);
            }
            if (receiver != null) {
                return ANOTHER;
            }
            receiver = r;
            signalled = false;
            cancelTimeoutLocked();
            if (state == State.NEW) {
                state = State.OPEN;
                return OPENED;
            }
            return JOINED;
        }
    }

    /** The client has the open frame: the handler opens (on the session's loop). */
    void opened() {
        onLoop(() -> {
            if (!isClosed()) {
                handlerOpen = true;
                handler.onOpen(this);
            }
        });
    }

    /**
     * Takes queued messages for {@code r}: at least one when any is queued, more while they fit
     * in {@code maxBytes}. With {@code leaveIfAny} (a poll, which ends with its answer) the
     * receiver is detached when it got something. Returns null when {@code r} is not attached
     * (any more): the session closed or it was let go.
     */
    List<byte[]> take(Receiver r, long maxBytes, boolean leaveIfAny) {
        List<byte[]> taken;
        boolean room = false;
        synchronized (this) {
            if (receiver != r) {
                return null;
            }
            taken = new ArrayList<>(Math.min(queue.size(), 64));
            long bytes = 0;
            while (!queue.isEmpty() && (taken.isEmpty() || bytes + queue.peek().length <= maxBytes)) {
                byte[] m = queue.poll();
                bytes += m.length;
                taken.add(m);
            }
            queuedBytes -= bytes;
            if (queue.isEmpty()) {
                signalled = false;
            }
            if (starved && hasRoomLocked()) {
                starved = false;
                room = true;
            }
            if (leaveIfAny && !taken.isEmpty()) {
                detachLocked();
            }
        }
        if (room) {
            later(() -> {
                if (handlerOpen) {
                    handler.onRoom(this);
                }
            });
        }
        return taken;
    }

    /** {@code r} leaves normally (a poll answered, a stream at its budget). Returns whether it was attached. */
    boolean release(Receiver r) {
        synchronized (this) {
            if (receiver != r) {
                return false;
            }
            detachLocked();
            return true;
        }
    }

    /** The connection of {@code r} dropped while it was attached: the session ends, as SockJS prescribes (1002). */
    void interrupted(Receiver r) {
        synchronized (this) {
            if (receiver != r) {
                return;
            }
        }
        end(Frames.INTERRUPTED, "interrupted", true);
    }

    private void detachLocked() {
        receiver = null;
        if (id != null) {
            timeout = sessions.schedule(this::timedOut, sessions.disconnectDelayMillis());
        }
    }

    // ---- messages in -----------------------------------------------------------------------

    /**
     * Hands the client's messages to the handler on the session's loop, then runs {@code then}
     * there (a send request answers after its messages were handled, so a poll that follows the
     * answer sees what they caused). Messages reaching a closed session are dropped.
     */
    void receive(List<String> messages, Runnable then) {
        onLoop(() -> {
            for (String m : messages) {
                if (!handlerOpen || isClosed()) {
                    break;
                }
                handler.onMessage(this, m);
            }
            then.run();
        });
    }

    // ---- messages out ----------------------------------------------------------------------

    /** Queues a message for the client. */
    Offer send(String message) {
        return offer(raw ? message.getBytes(StandardCharsets.UTF_8) : Frames.quote(message));
    }

    /** Queues a channel message or gap notice for the client, as its JSON text; a message's encoding is shared. */
    Offer deliver(Delivery d) {
        if (d instanceof Message m) {
            return offer(raw ? m.json() : m.encoding(QUOTED, msg -> Frames.quote(new String(msg.json(), StandardCharsets.UTF_8))));
        }
        byte[] json = ((Gap) d).json();
        return offer(raw ? json : Frames.quote(new String(json, StandardCharsets.US_ASCII)));
    }

    /** Whether the queue can take more; when not, the handler is told {@link SessionHandler#onRoom} later. */
    boolean hasRoom() {
        synchronized (this) {
            boolean room = hasRoomLocked();
            starved |= !room;
            return room;
        }
    }

    /** Below half of either bound, so that a bridge refills in batches rather than message by message. */
    private boolean hasRoomLocked() {
        return queue.size() < maxMessages / 2 && queuedBytes < maxBytes / 2;
    }

    private Offer offer(byte[] item) {
        Receiver wake = null;
        synchronized (this) {
            if (state == State.CLOSED) {
                return Offer.CLOSED;
            }
            if (queue.size() < maxMessages && queuedBytes + item.length <= maxBytes) {
                queue.add(item);
                queuedBytes += item.length;
                if (receiver != null && !signalled) {
                    signalled = true;
                    wake = receiver;
                }
            } else {
                item = null;
            }
        }
        if (item == null) {
            close(CloseReason.SLOW);
            return Offer.OVERFLOW;
        }
        if (wake != null) {
            wake.ready();
        }
        return Offer.QUEUED;
    }

    // ---- closing ---------------------------------------------------------------------------

    /** The service closes the session with its own {@code code} (1000 or 3000–4999) and reason. */
    void close(int code, String reason) {
        end(Frames.close(code, reason), "service", true);
    }

    /** The server closes the session: {@code c[status,"reason"]} with the reason's WebSocket status and code. */
    void close(CloseReason reason) {
        sessions.server().metrics().closed(reason);
        end(Frames.close(reason.webSocketStatus(), reason.code()), reason.code(), true);
    }

    /**
     * The WebSocket connection carrying the session ended: closed by the client (or for
     * {@code reason}, already counted by the connection), or dropped ({@code reason} null).
     */
    void connectionEnded(CloseReason reason) {
        String how = reason == null ? "interrupted" : reason == CloseReason.NORMAL ? "client" : reason.code();
        end(Frames.close(reason == null ? 1002 : reason.webSocketStatus(), reason == null ? "Connection interrupted" : reason.code()),
                how, false);
    }

    /** A session whose connection never came to be (a failed WebSocket handshake). */
    void abandon() {
        end(Frames.close(1000, "Not opened"), "abandoned", false);
    }

    boolean isClosed() {
        synchronized (this) {
            return state == State.CLOSED;
        }
    }

    /**
     * Ends the session: the receiver (if any) gets {@code frame}, the handler closes, and a
     * registered session answers {@code frame} to later requests for the disconnect delay when
     * {@code linger}, or leaves the registry at once.
     */
    private void end(Frames.Close frame, String how, boolean linger) {
        Receiver r;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            closeFrame = frame;
            r = receiver;
            receiver = null;
            queue.clear();
            queuedBytes = 0;
            cancelTimeoutLocked();
            linger &= id != null;
            if (linger) {
                timeout = sessions.schedule(this::lingered, sessions.disconnectDelayMillis());
            }
        }
        sessions.ended(this, how, !linger);
        if (r != null) {
            r.closed(frame);
        }
        // As a task of its own: the session may end from inside one of the handler's own calls.
        later(() -> {
            if (handlerOpen) {
                handlerOpen = false;
                handler.onClose(this);
            }
        });
    }

    /** Timer thread: no receiver came back within the disconnect delay. */
    private void timedOut(Timeout t) {
        synchronized (this) {
            if (timeout != t || receiver != null || state == State.CLOSED) {
                return;
            }
            timeout = null;
        }
        end(Frames.close(1000, "Session timed out"), "timed_out", false);
    }

    /** Timer thread: a closed session has answered its close frame long enough. */
    private void lingered(Timeout t) {
        synchronized (this) {
            if (timeout != t) {
                return;
            }
            timeout = null;
        }
        sessions.remove(this);
    }

    private void cancelTimeoutLocked() {
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
    }

    /** Runs {@code task} on the session's loop: at once when already there. */
    private void onLoop(Runnable task) {
        EventLoops.onLoop(loop, task);
    }

    /** Runs {@code task} on the session's loop as a new task. */
    private void later(Runnable task) {
        EventLoops.execute(loop, task);
    }

    @Override
    public synchronized String toString() {
        return "SockJsSession[" + service.name() + "/" + (id == null ? "websocket" : id) + ", " + state + ", queued="
                + queue.size() + "/" + queuedBytes + "B" + (receiver != null ? ", attached" : "") + (raw ? ", raw" : "") + "]";
    }
}
