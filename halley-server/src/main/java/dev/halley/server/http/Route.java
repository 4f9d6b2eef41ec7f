package dev.halley.server.http;

/** A door reached by path. It answers through the {@link HttpExchange}, now or later. */
@FunctionalInterface
public interface Route {
    /**
     * Handles one request on the connection's event loop. The request object is valid only
     * during this call; the exchange stays valid until it is {@linkplain HttpExchange#isDone done}.
     * A {@link dev.halley.core.HalleyException} thrown here becomes the JSON error reply.
     */
    void handle(HttpExchange exchange) throws Exception;

    /**
     * Whether this route answers CORS preflights ({@code OPTIONS} with
     * {@code Access-Control-Request-Method}) itself, because its protocol fixes their headers
     * (SockJS). By default the router answers them for every route.
     */
    default boolean answersPreflight() {
        return false;
    }
}
