package dev.halley.server;

/**
 * Every configuration key: its flag ({@code --name}), environment variable
 * ({@code HALLEY_NAME}), file key (the same name), default and meaning. {@code --help} and
 * {@code docs/configuration.md} are made from this table (a test keeps the doc in step).
 */
public enum ConfigKey {
    PORT("port", "8080", "TCP port to listen on (0 picks a free one)."),
    HOST("host", "0.0.0.0", "Address to listen on."),
    BROKER("broker", "memory", "Where channels are sequenced and history kept: `memory` (embedded, one node), `redis://host:port[/db]`, `redis-cluster://host:port[,host:port…]` or `nats://host:port` (several nodes; see docs/clustering.md)."),
    BROKER_PREFIX("broker-prefix", "halley", "Namespace in the broker's engine (Redis key and channel prefix, NATS subject and stream prefix): nodes of one cluster share it, two clusters on one engine need two; 1-32 letters, digits or `_`."),
    CONFIG("config", "", "A JSON file with any of these keys (same names) and the `channels` policy list; flags and environment variables override it."),
    SOCKJS_TEST_SERVICES("sockjs-test-services", "false", "Adds the four services the SockJS protocol test suite expects under `/sockjs/`: `echo`, `close`, `disabled_websocket_echo`, `cookie_needed_echo` (streaming responses cut at 4,096 bytes)."),
    API_KEY("api-key", "", "When set, `POST /api/publish` requires `Authorization: apikey <key>` (compared in constant time)."),
    CORS_ORIGINS("cors-origins", "*", "Comma-separated origins allowed for CORS, WebSocket upgrades and the postMessage bridge (`*` = any; the server's own origin always is; `Origin: null` is never given credentials)."),
    HISTORY_SIZE("history-size", "100", "Messages of history kept per channel."),
    HISTORY_TTL("history-ttl", "300s", "Age after which a message leaves history."),
    LONGPOLL_TIMEOUT("longpoll-timeout", "30s", "How long a long-poll is held when the client gives no `timeout`."),
    LONGPOLL_MAX_TIMEOUT("longpoll-max-timeout", "120s", "Upper bound for a client's `timeout`."),
    HEARTBEAT("heartbeat", "25s", "Idle time after which streams send a heartbeat (SSE comment, stream line, WebSocket ping, SockJS `h` frame)."),
    STREAM_BUDGET("stream-budget", "128KiB", "Bytes a streaming response (NDJSON, iframe, htmlfile, SSE, SockJS streams) carries before it ends so the client re-opens."),
    MAX_PUBLISH_BODY("max-publish-body", "1MiB", "Largest body of `POST /api/publish` (413 above)."),
    MAX_CLIENT_BODY("max-client-body", "64KiB", "Largest body of any other client request (413 above)."),
    MAX_WS_MESSAGE("max-ws-message", "64KiB", "Largest WebSocket message after reassembly (close 1009 above)."),
    MAX_INITIAL_LINE("max-initial-line", "4KiB", "Longest HTTP request line (414 above)."),
    MAX_HEADER_SIZE("max-header-size", "8KiB", "Largest HTTP header block (431 above)."),
    MAX_JSON_DEPTH("max-json-depth", "32", "Deepest JSON nesting accepted (400, WebSocket close 1007)."),
    MAX_SUBSCRIPTIONS("max-subscriptions", "128", "Channel patterns one connection may follow."),
    OUTBOUND_MAX_BYTES("outbound-max-bytes", "1MiB", "Bytes queued for one client before it is disconnected as `slow`."),
    OUTBOUND_MAX_MESSAGES("outbound-max-messages", "1000", "Messages queued for one client before it is disconnected as `slow`."),
    UNWRITABLE_TIMEOUT("unwritable-timeout", "5s", "How long a socket may stay unwritable before the client is disconnected as `slow`."),
    HEADER_TIMEOUT("header-timeout", "10s", "Time to send a request's headers, from its first byte (or from connect); the connection is closed after."),
    BODY_TIMEOUT("body-timeout", "30s", "Time to send a request's body after its headers."),
    IDLE_TIMEOUT("idle-timeout", "60s", "How long a keep-alive connection may sit idle between requests."),
    PUBLISH_RATE("publish-rate", "50", "Messages one client connection may publish per second (429 / error reply above; disconnect on repeat)."),
    TRANSPORT("transport", "auto", "I/O transport: `auto` (native epoll where available, else NIO), `epoll` or `nio`."),
    IO_THREADS("io-threads", "0", "Event-loop threads (0 = two per core)."),
    SHUTDOWN_GRACE("shutdown-grace", "10s", "On SIGTERM: how long to let clients drain after they were told to reconnect."),
    BAYEUX_MAX_SESSIONS("bayeux-max-sessions", "100000", "Bayeux sessions (`/cometd`) alive at once; a handshake over it is refused with `503::too_many_sessions`."),
    BAYEUX_MAX_INTERVAL("bayeux-max-interval", "10s", "How long a Bayeux session lives without a `/meta/connect` before it expires (the client then handshakes again)."),
    SOCKJS_CLIENT_URL("sockjs-client-url", "https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js", "The `sockjs-client` script the SockJS iframe page (`/sockjs/{service}/iframe.html`) loads; serve your own copy to avoid the CDN."),
    SOCKJS_DISCONNECT_DELAY("sockjs-disconnect-delay", "5s", "How long a SockJS session lives without a receiving request (and answers its close frame once closed)."),
    SOCKJS_MAX_SESSIONS("sockjs-max-sessions", "100000", "SockJS sessions open at once on this node (a new one above is refused with 503)."),
    SOCKJS_JSESSIONID("sockjs-jsessionid", "false", "The SockJS `channels` service sets a `JSESSIONID` cookie (and says `cookie_needed`) for load balancers that stick sessions by it."),
    SOCKJS_WEBSOCKET("sockjs-websocket", "true", "Whether the SockJS `channels` service offers its WebSocket transports (turn off behind proxies that break WebSocket).");

    private final String key;
    private final String defaultValue;
    private final String description;

    ConfigKey(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The flag and file name, e.g. {@code longpoll-timeout}. */
    public String key() {
        return key;
    }

    /** The environment variable, e.g. {@code HALLEY_LONGPOLL_TIMEOUT}. */
    public String env() {
        return "HALLEY_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    static ConfigKey byKey(String key) {
        for (ConfigKey k : values()) {
            if (k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }
}
