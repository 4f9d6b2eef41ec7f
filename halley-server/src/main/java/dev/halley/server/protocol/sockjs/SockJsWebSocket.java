package dev.halley.server.protocol.sockjs;

import dev.halley.core.CloseReason;
import dev.halley.core.HalleyException;
import dev.halley.server.EventLoops;
import dev.halley.server.ServerContext;
import dev.halley.server.transport.stream.SilenceTimer;
import dev.halley.server.transport.websocket.WebSocketHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A SockJS session over one WebSocket connection, as the connection's conversation
 * ({@link WebSocketHandler} does the frames, pings and closing handshake). The session lives as
 * long as the connection, so a session id may be reused at once ("WebSocket protocols").
 * <ul>
 *   <li><b>Framed</b> ({@code /sockjs/{service}/{server}/{session}/websocket}, what sockjs-client
 *       uses): the open frame, messages as {@code a[…]} text frames, an {@code h} frame after
 *       {@code heartbeat} of silence, and the close frame {@code c[…]} before the WebSocket close.
 *       The client sends JSON arrays of strings (or one string); an empty frame is ignored, broken
 *       JSON closes the connection (1007).</li>
 *   <li><b>Raw</b> ({@code /sockjs/{service}/websocket}, for programs): each text frame is one
 *       message both ways; no open, heartbeat or close frames.</li>
 * </ul>
 * When the service closes the session the WebSocket closes with the session's code when it is a
 * valid close status (1000, 3000–4999, the standard ones), else 1000.
 *
 * <p>Everything runs on the connection's event loop (which is also the session's).
 */
final class SockJsWebSocket implements WebSocketHandler.Conversation, Receiver {
    /** Bytes of messages one {@code a[…]} frame carries at most; more go in the next frame. */
    static final int MAX_FRAME_BYTES = 32 * 1024;
    private static final Runnable NOTHING = () -> { };

    private final ServerContext server;
    private final SockJsSession session;
    private final boolean raw;
    private WebSocketHandler ws;
    private SilenceTimer heartbeat;
    private boolean started;
    private boolean ended;

    SockJsWebSocket(ServerContext server, SockJsSession session, boolean raw) {
        this.server = server;
        this.session = session;
        this.raw = raw;
    }

    /** The connection's handler is in place (its factory). */
    WebSocketHandler.Conversation bind(WebSocketHandler handler) {
        this.ws = handler;
        return this;
    }

    /** The 101 is written: the session opens. */
    void start() {
        if (ended) {
            return;
        }
        started = true;
        session.attach(this);
        if (!raw) {
            heartbeat = new SilenceTimer(server.wheel(ws.loop()), server.config().heartbeat().toNanos(), this::silence);
            ws.text(Frames.OPEN);
            ws.flush();
            heartbeat.start();
        }
        session.opened();
    }

    // ---- from the connection ---------------------------------------------------------------

    @Override
    public void onText(byte[] utf8) {
        if (!started || ended) {
            return;
        }
        if (raw) {
            session.receive(List.of(new String(utf8, StandardCharsets.UTF_8)), NOTHING);
            return;
        }
        if (utf8.length == 0) {
            return; // "Empty frames must be ignored by the server side."
        }
        try {
            session.receive(Frames.messages(server.json(), utf8), NOTHING);
        } catch (HalleyException e) {
            server.metrics().error(e.error());
            ws.close(CloseReason.BAD_DATA);
        }
    }

    @Override
    public void drain() {
        if (!started || ended) {
            return;
        }
        while (ws.writable()) {
            List<byte[]> items = session.take(this, MAX_FRAME_BYTES, false);
            if (items == null || items.isEmpty()) {
                break;
            }
            if (raw) {
                items.forEach(ws::text);
            } else {
                ws.text(Frames.array(items));
                heartbeat.active();
            }
            server.metrics().delivered(items.size());
        }
        ws.flush();
    }

    /** The last frame before the handler's 1001. */
    @Override
    public void onShutdown() {
        if (!raw && started && !ended) {
            ws.text(Frames.close(CloseReason.SHUTDOWN.webSocketStatus(), CloseReason.SHUTDOWN.code()).bytes());
        }
    }

    @Override
    public void onClosed(CloseReason reason) {
        stop();
        session.connectionEnded(reason);
    }

    // ---- from the session ------------------------------------------------------------------

    @Override
    public void ready() {
        execute(this::drain);
    }

    @Override
    public void closed(Frames.Close frame) {
        execute(() -> {
            if (ended) {
                return;
            }
            stop();
            if (!raw) {
                ws.text(frame.bytes());
            }
            ws.close(webSocketStatus(frame.code()), frame.reason());
        });
    }

    private void silence() {
        if (!ended && ws.writable()) {
            ws.text(Frames.HEARTBEAT);
            ws.flush();
        }
    }

    private void stop() {
        ended = true;
        if (heartbeat != null) {
            heartbeat.stop();
        }
    }

    /** A SockJS close code as a WebSocket close status: itself where RFC 6455 (section 7.4) allows it, else 1000. */
    static int webSocketStatus(int code) {
        boolean valid = code >= 3000 && code <= 4999 || code >= 1000 && code <= 1003 || code >= 1007 && code <= 1011;
        return valid ? code : 1000;
    }

    private void execute(Runnable task) {
        EventLoops.execute(ws.loop(), task);
    }

    @Override
    public String toString() {
        return "SockJsWebSocket[" + (raw ? "raw, " : "") + session + (ended ? ", ended" : "") + "]";
    }
}
