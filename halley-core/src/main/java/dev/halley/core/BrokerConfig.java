package dev.halley.core;

import java.util.regex.Pattern;

/**
 * What a broker is made from: where its engine is, the namespace it keeps there, and how much
 * history it keeps. Validated once, here.
 *
 * @param uri {@code memory}, {@code redis://host:port[/db]}, {@code nats://host:port}, … (a
 *     {@link BrokerProvider} accepts it)
 * @param prefix the namespace in the engine (Redis key and channel prefix, NATS subject and stream
 *     prefix): nodes of one cluster share it; two clusters on one engine use two prefixes
 * @param history history bounds per channel
 * @param maxMessageBytes largest {@code data} a broker accepts from publishers that bypass the
 *     nodes (Redis ingestion), as the publish API's body limit
 */
public record BrokerConfig(String uri, String prefix, HistoryLimits history, int maxMessageBytes) {
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_]{1,32}");

    public BrokerConfig {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("broker URI is required");
        }
        if (!isValidPrefix(prefix)) {
            throw new IllegalArgumentException("broker-prefix must be 1-32 letters, digits or '_'");
        }
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive");
        }
    }

    /**
     * Whether {@code prefix} is 1–32 letters, digits or {@code _}: safe as a Redis key part,
     * Redis function name, NATS subject token and JetStream stream name.
     */
    public static boolean isValidPrefix(String prefix) {
        return prefix != null && PREFIX.matcher(prefix).matches();
    }
}
