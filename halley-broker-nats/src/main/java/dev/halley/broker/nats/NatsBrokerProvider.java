package dev.halley.broker.nats;

import dev.halley.core.Broker;
import dev.halley.core.BrokerConfig;
import dev.halley.core.BrokerProvider;

/** Provides {@link NatsBroker} for {@code nats://host:port} URIs (JetStream must be enabled on the server). */
public final class NatsBrokerProvider implements BrokerProvider {
    @Override
    public boolean accepts(String uri) {
        return uri.startsWith("nats://");
    }

    @Override
    public Broker create(BrokerConfig config) {
        return new NatsBroker(config, System::currentTimeMillis);
    }
}
