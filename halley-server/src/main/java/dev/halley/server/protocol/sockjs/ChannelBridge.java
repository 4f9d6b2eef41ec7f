package dev.halley.server.protocol.sockjs;

import dev.halley.core.CloseReason;
import dev.halley.core.Delivery;
import dev.halley.server.ServerContext;
import dev.halley.server.transport.websocket.NativeSession;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;

/**
 * The {@code channels} service: a SockJS client on the hub's channels, next to native and Bayeux
 * clients. It speaks Halley's WebSocket protocol ({@link NativeSession}) over the SockJS session:
 * each SockJS message the client sends is one request, e.g.
 * {@code {"op":"subscribe","channel":"news","id":1}}, and each SockJS message it receives is a
 * reply, a gap notice or a channel message, exactly as on {@code /ws}.
 *
 * <p>The feed is drained into the session's queue only while the queue has room; a receiver
 * taking from the queue makes room and the feed is drained again. A client that falls behind
 * overflows its feed and is closed as {@code slow} ({@code c[1008,"slow"]}).
 */
final class ChannelBridge implements SessionHandler, NativeSession.Output {
    private final ServerContext server;
    private final SockJsSession session;
    private NativeSession conversation;

    ChannelBridge(ServerContext server, SockJsSession session) {
        this.server = server;
        this.session = session;
    }

    @Override
    public void onOpen(SockJsSession s) {
        conversation = new NativeSession(server, this);
    }

    @Override
    public void onMessage(SockJsSession s, String message) {
        conversation.request(message.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onRoom(SockJsSession s) {
        conversation.drain();
    }

    @Override
    public void onClose(SockJsSession s) {
        conversation.close();
    }

    @Override
    public EventExecutor loop() {
        return session.loop();
    }

    @Override
    public void reply(String json) {
        session.send(json);
    }

    @Override
    public void deliver(Delivery delivery) {
        session.deliver(delivery);
    }

    @Override
    public boolean writable() {
        return session.hasRoom();
    }

    /** Receivers write as they take from the session: nothing to flush here. */
    @Override
    public void flush() {
    }

    @Override
    public void close(CloseReason reason) {
        session.close(reason);
    }

    @Override
    public String toString() {
        return "ChannelBridge[" + session + ", " + conversation + "]";
    }
}
