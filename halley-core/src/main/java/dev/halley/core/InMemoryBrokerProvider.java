package dev.halley.core;

/** Provides {@link InMemoryBroker} for the URI {@code memory}. */
public final class InMemoryBrokerProvider implements BrokerProvider {
    @Override
    public boolean accepts(String uri) {
        return uri.equals("memory");
    }

    @Override
    public Broker create(BrokerConfig config) {
        return new InMemoryBroker(config.history());
    }
}
