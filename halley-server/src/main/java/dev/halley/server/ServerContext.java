package dev.halley.server;

import dev.halley.core.FeedLimits;
import dev.halley.core.Hub;
import dev.halley.server.http.Cors;
import dev.halley.server.http.Json;
import io.netty.util.Timer;

/**
 * What every door shares: configuration, the hub, metrics, the one timer wheel (long-poll
 * timeouts, heartbeats, deadlines), the JSON reader, the origin allow-list, and the outbound
 * bounds every feed gets (one instance for all of them, not one per connection).
 */
public record ServerContext(HalleyConfig config, Hub hub, Metrics metrics, Timer timer, Json json, Cors cors,
                            java.util.function.BooleanSupplier shuttingDown, FeedLimits feedLimits) {

    public ServerContext(HalleyConfig config, Hub hub, Metrics metrics, Timer timer, Json json, Cors cors,
                         java.util.function.BooleanSupplier shuttingDown) {
        this(config, hub, metrics, timer, json, cors, shuttingDown, config.feedLimits());
    }

    public boolean isShuttingDown() {
        return shuttingDown.getAsBoolean();
    }
}
