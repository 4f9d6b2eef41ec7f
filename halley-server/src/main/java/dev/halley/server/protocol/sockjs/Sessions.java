package dev.halley.server.protocol.sockjs;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SockJS sessions of this node, by service and session id, and the bound on how many it holds
 * at once ({@code sockjs-max-sessions}: open, and closed ones still answering their close frame;
 * WebSocket sessions count too though they are not looked up). A new session over the bound, or
 * during shutdown, is refused with {@link ReplyError#UNAVAILABLE} (503, counted).
 */
final class Sessions {
    /** The protocol's name in the session metrics ({@code halley_sessions_open{protocol="sockjs"}}). */
    static final String PROTOCOL = "sockjs";
    private final ServerContext server;
    private final ConcurrentMap<String, SockJsSession> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    private final int max;
    private final long disconnectDelayMillis;

    Sessions(ServerContext server) {
        this.server = server;
        this.max = server.config().sockjs().maxSessions();
        this.disconnectDelayMillis = server.config().sockjs().disconnectDelay().toMillis();
    }

    ServerContext server() {
        return server;
    }

    long disconnectDelayMillis() {
        return disconnectDelayMillis;
    }

    /** The session {@code id} of {@code service}, or null. */
    SockJsSession find(SockJsService service, String id) {
        return byKey.get(key(service, id));
    }

    /** The session {@code id} of {@code service}, created (its handler on {@code loop}) when there is none. */
    SockJsSession findOrCreate(SockJsService service, String id, EventExecutor loop) {
        String key = key(service, id);
        SockJsSession s = byKey.get(key);
        if (s != null) {
            return s;
        }
        reserve();
        SockJsSession created = new SockJsSession(this, service, id, false, loop);
        s = byKey.putIfAbsent(key, created);
        if (s != null) {
            held.decrementAndGet(); // another request created it first
            return s;
        }
        server.metrics().sessionOpened(PROTOCOL);
        return created;
    }

    /** A session that lives as long as one WebSocket connection; not looked up by id. */
    SockJsSession createForWebSocket(SockJsService service, boolean raw, EventExecutor loop) {
        reserve();
        server.metrics().sessionOpened(PROTOCOL);
        return new SockJsSession(this, service, null, raw, loop);
    }

    private void reserve() {
        if (server.isShuttingDown()) {
            throw new HalleyException(ReplyError.UNAVAILABLE, "The server is shutting down; connect to another node.");
        }
        if (held.incrementAndGet() > max) {
            held.decrementAndGet();
            throw new HalleyException(ReplyError.UNAVAILABLE, "Too many SockJS sessions on this node (" + max + ").");
        }
    }

    /** A session ended (counted by how); {@code leave}: it leaves now rather than after answering its close frame a while. */
    void ended(SockJsSession s, String how, boolean leave) {
        server.metrics().sessionEnded(PROTOCOL, how);
        if (leave) {
            remove(s);
        }
    }

    /** {@code s} leaves the registry (if it is the one registered under its id) and frees its place. */
    void remove(SockJsSession s) {
        if (s.id() == null || byKey.remove(key(s.service(), s.id()), s)) {
            held.decrementAndGet();
        }
    }

    /** Runs {@code task} on the timer thread after {@code millis}. */
    Timeout schedule(TimerTask task, long millis) {
        return server.timer().newTimeout(task, millis, TimeUnit.MILLISECONDS);
    }

    int held() {
        return held.get();
    }

    private static String key(SockJsService service, String id) {
        return service.name() + '/' + id;
    }

    @Override
    public String toString() {
        return "Sessions[held=" + held.get() + "/" + max + ", listed=" + byKey.size() + "]";
    }
}
