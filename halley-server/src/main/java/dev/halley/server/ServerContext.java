package dev.halley.server;

import dev.halley.core.FeedLimits;
import dev.halley.core.Hub;
import dev.halley.server.http.Cors;
import dev.halley.server.http.Json;
import io.netty.util.Timer;
import io.netty.util.concurrent.EventExecutor;

/**
 * What every door shares: configuration, the hub, metrics, the one timer wheel (timeouts that are
 * rare or not tied to one connection's loop), the deadline wheels of the event loops (the
 * deadlines and heartbeats every idle connection holds), the JSON reader, the origin
 * allow-list, and the outbound bounds every feed gets (one instance for all of them, not one per
 * connection).
 */
public record ServerContext(HalleyConfig config, Hub hub, Metrics metrics, Timer timer, Json json, Cors cors,
                            java.util.function.BooleanSupplier shuttingDown, FeedLimits feedLimits,
                            DeadlineWheel.Registry deadlines) {

    public ServerContext(HalleyConfig config, Hub hub, Metrics metrics, Timer timer, Json json, Cors cors,
                         java.util.function.BooleanSupplier shuttingDown) {
        this(config, hub, metrics, timer, json, cors, shuttingDown, config.feedLimits(), new DeadlineWheel.Registry());
    }

    public boolean isShuttingDown() {
        return shuttingDown.getAsBoolean();
    }

    /** The deadline wheel of {@code loop} (a connection's event loop). */
    public DeadlineWheel wheel(EventExecutor loop) {
        return deadlines.on(loop);
    }
}
