package dev.halley.server;

import java.time.Duration;

/**
 * The SockJS door's own settings (its heartbeat, streaming budget and outgoing bounds are the
 * server-wide {@code heartbeat}, {@code stream-budget} and {@code outbound-max-*}).
 *
 * @param clientUrl the {@code sockjs-client} script the iframe page loads ({@code sockjs-client-url})
 * @param disconnectDelay how long a session lives without a receiving request ({@code sockjs-disconnect-delay})
 * @param maxSessions sessions open at once on this node ({@code sockjs-max-sessions})
 * @param jsessionid whether the {@code channels} service sets {@code JSESSIONID} ({@code sockjs-jsessionid})
 * @param websocket whether the {@code channels} service offers WebSocket ({@code sockjs-websocket})
 */
public record SockJsConfig(String clientUrl, Duration disconnectDelay, int maxSessions, boolean jsessionid, boolean websocket) {

    public SockJsConfig {
        if (clientUrl.isBlank() || clientUrl.chars().anyMatch(c -> c < 0x21 || c == '"' || c == '<' || c == '>' || c == '\'')) {
            throw new IllegalArgumentException("sockjs-client-url must be a URL without spaces, quotes or angle brackets");
        }
        if (disconnectDelay.isNegative() || disconnectDelay.isZero()) {
            throw new IllegalArgumentException("sockjs-disconnect-delay must be positive");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("sockjs-max-sessions must be at least 1");
        }
    }
}
