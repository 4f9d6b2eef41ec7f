package dev.halley.server;

import dev.halley.core.Hub;
import dev.halley.server.http.Cors;
import dev.halley.server.http.Json;
import io.netty.util.Timer;

/**
 * What every door shares: configuration, the hub, metrics, the one timer wheel (long-poll
 * timeouts, heartbeats, deadlines), the JSON reader and the origin allow-list.
 */
public record ServerContext(HalleyConfig config, Hub hub, Metrics metrics, Timer timer, Json json, Cors cors,
                            java.util.function.BooleanSupplier shuttingDown) {

    public boolean isShuttingDown() {
        return shuttingDown.getAsBoolean();
    }
}
