package dev.halley.server.transport.websocket;

import dev.halley.core.CloseReason;
import dev.halley.core.Delivery;
import dev.halley.core.Gap;
import dev.halley.core.Message;
import dev.halley.server.ServerContext;
import io.netty.util.concurrent.EventExecutor;

/**
 * The native protocol over {@code /ws}: a {@link NativeSession} whose frames are WebSocket text
 * frames. Each message goes out as one frame encoded once for all subscribers ({@link TextFrames}).
 * On shutdown the last frame is {@code {"reconnect":true,"reason":"shutdown","cursor":…}}.
 */
final class NativeConversation implements WebSocketHandler.Conversation, NativeSession.Output {
    private final WebSocketHandler ws;
    private final NativeSession session;

    NativeConversation(ServerContext server, WebSocketHandler ws) {
        this.ws = ws;
        this.session = new NativeSession(server, this);
    }

    @Override
    public void onText(byte[] utf8) {
        session.request(utf8);
    }

    @Override
    public void drain() {
        session.drain();
    }

    /** What is queued (if the socket takes it), then a reconnect notice with the cursor. */
    @Override
    public void onShutdown() {
        session.drain();
        ws.text(ReplyFrames.reconnect(CloseReason.SHUTDOWN, session.cursor()));
    }

    @Override
    public void onClosed(CloseReason reason) {
        session.close();
    }

    @Override
    public EventExecutor loop() {
        return ws.loop();
    }

    @Override
    public void reply(String json) {
        ws.text(json);
    }

    @Override
    public void deliver(Delivery d) {
        if (d instanceof Message m) {
            ws.encoded(TextFrames.of(m));
        } else if (d instanceof Gap g) {
            ws.text(g.json());
        }
    }

    @Override
    public boolean writable() {
        return ws.writable();
    }

    @Override
    public void flush() {
        ws.flush();
    }

    @Override
    public void close(CloseReason reason) {
        ws.close(reason);
    }

    @Override
    public String toString() {
        return session.toString();
    }
}
