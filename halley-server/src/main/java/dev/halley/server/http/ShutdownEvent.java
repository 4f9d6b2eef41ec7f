package dev.halley.server.http;

/** Fired down every open connection's pipeline when the server starts a graceful shutdown. */
public final class ShutdownEvent {
    public static final ShutdownEvent INSTANCE = new ShutdownEvent();

    private ShutdownEvent() {
    }
}
