package dev.halley.server;

import dev.halley.core.BrokerConfig;
import dev.halley.core.FeedLimits;
import dev.halley.core.HistoryLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The server's configuration, immutable and validated once at start. Every field has a
 * {@link ConfigKey} with its default; build one with {@link ConfigLoader} or
 * {@link #defaults()} and the {@code with…} methods used by tests and embedders.
 */
public record HalleyConfig(
        String host,
        int port,
        String broker,
        String brokerPrefix,
        boolean sockjsTestServices,
        String apiKey,
        List<String> corsOrigins,
        int historySize,
        Duration historyTtl,
        Duration longPollTimeout,
        Duration longPollMaxTimeout,
        Duration heartbeat,
        int streamBudget,
        int maxPublishBody,
        int maxClientBody,
        int maxWsMessage,
        int maxInitialLine,
        int maxHeaderSize,
        int maxJsonDepth,
        int maxSubscriptions,
        int outboundMaxBytes,
        int outboundMaxMessages,
        Duration unwritableTimeout,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration idleTimeout,
        int publishRate,
        String transport,
        int ioThreads,
        Duration shutdownGrace,
        ChannelPolicy policy,
        int bayeuxMaxSessions,
        Duration bayeuxMaxInterval,
        SockJsConfig sockjs) {

    public HalleyConfig {
        corsOrigins = List.copyOf(corsOrigins);
        require(port >= 0 && port <= 65535, "port must be 0..65535");
        require(historySize >= 0, "history-size must be >= 0");
        require(streamBudget >= 1024, "stream-budget must be at least 1KiB");
        require(maxClientBody > 0 && maxPublishBody > 0 && maxWsMessage > 0, "body limits must be positive");
        require(maxJsonDepth >= 2, "max-json-depth must be >= 2");
        require(publishRate > 0, "publish-rate must be positive");
        require(List.of("auto", "epoll", "nio").contains(transport), "transport must be auto, epoll or nio");
        require(!longPollTimeout.isNegative() && longPollTimeout.compareTo(longPollMaxTimeout) <= 0,
                "longpoll-timeout must be between 0 and longpoll-max-timeout");
        require(!heartbeat.isZero() && !heartbeat.isNegative(), "heartbeat must be positive");
        require(bayeuxMaxSessions > 0, "bayeux-max-sessions must be positive");
        require(!bayeuxMaxInterval.isZero() && !bayeuxMaxInterval.isNegative(), "bayeux-max-interval must be positive");
        require(broker.equals("memory") || broker.startsWith("redis://") || broker.startsWith("rediss://")
                || broker.startsWith("redis-cluster://") || broker.startsWith("nats://"),
                "broker must be memory, redis://…, redis-cluster://… or nats://…");
        require(BrokerConfig.isValidPrefix(brokerPrefix), "broker-prefix must be 1-32 letters, digits or '_'");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Everything at its documented default. */
    public static HalleyConfig defaults() {
        return ConfigLoader.load(new String[0], Map.of());
    }

    public HistoryLimits historyLimits() {
        Duration idle = historyTtl.compareTo(Duration.ofHours(1)) > 0 ? historyTtl : Duration.ofHours(1);
        return new HistoryLimits(historySize, historyTtl, idle);
    }

    /** What the broker is made from: {@code broker}, {@code broker-prefix}, the history bounds and the publish body limit. */
    public BrokerConfig brokerConfig() {
        return new BrokerConfig(broker, brokerPrefix, historyLimits(), maxPublishBody);
    }

    public FeedLimits feedLimits() {
        return new FeedLimits(outboundMaxMessages, outboundMaxBytes, maxSubscriptions);
    }

    public HalleyConfig withPort(int p) {
        return ConfigLoader.with(this, ConfigKey.PORT, Integer.toString(p));
    }

    /** A copy with one key set from its textual form, as on the command line. */
    public HalleyConfig with(ConfigKey key, String value) {
        return ConfigLoader.with(this, key, value);
    }

    public HalleyConfig withPolicy(ChannelPolicy p) {
        return new HalleyConfig(host, port, broker, brokerPrefix, sockjsTestServices, apiKey, corsOrigins, historySize, historyTtl,
                longPollTimeout, longPollMaxTimeout, heartbeat, streamBudget, maxPublishBody, maxClientBody, maxWsMessage,
                maxInitialLine, maxHeaderSize, maxJsonDepth, maxSubscriptions, outboundMaxBytes, outboundMaxMessages,
                unwritableTimeout, headerTimeout, bodyTimeout, idleTimeout, publishRate, transport, ioThreads,
                shutdownGrace, p, bayeuxMaxSessions, bayeuxMaxInterval, sockjs);
    }

    @Override
    public String toString() {
        return "HalleyConfig[" + host + ":" + port + ", broker=" + broker + ", apiKey=" + (apiKey.isEmpty() ? "none" : "***")
                + ", cors=" + corsOrigins + ", history=" + historySize + "/" + historyTtl + ", transport=" + transport + "]";
    }
}
