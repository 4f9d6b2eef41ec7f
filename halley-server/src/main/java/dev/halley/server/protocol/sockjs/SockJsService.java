package dev.halley.server.protocol.sockjs;

import java.util.function.Function;

/**
 * One SockJS service, {@code /sockjs/{name}}: its options and what it does with each session.
 *
 * @param name the path segment, e.g. {@code echo}
 * @param websocket whether {@code /info} offers WebSocket and the WebSocket transports answer (else 404)
 * @param cookieNeeded whether session requests set {@code JSESSIONID} for sticky load balancers (and {@code /info} says so)
 * @param streamBudget bytes one streaming response carries (framing included, prelude not) before it ends
 * @param handlers makes the handler of each new session
 */
record SockJsService(String name, boolean websocket, boolean cookieNeeded, int streamBudget,
                     Function<SockJsSession, SessionHandler> handlers) {

    /** The name of the service that bridges SockJS clients to channels; always there. */
    static final String CHANNELS = "channels";
    /** The streaming budget of the protocol test services (the suite checks streams end after 4,096 bytes). */
    static final int TEST_STREAM_BUDGET = 4096;
}
