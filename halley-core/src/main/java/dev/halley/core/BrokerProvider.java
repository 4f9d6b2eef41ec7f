package dev.halley.core;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Makes brokers for the URIs it knows. Providers are found with {@link ServiceLoader} (a
 * {@code META-INF/services/dev.halley.core.BrokerProvider} entry), so a server picks up every
 * broker module on its class path without naming it.
 */
public interface BrokerProvider {

    /** Whether this provider makes brokers for {@code uri} (by its scheme, e.g. {@code redis://}). */
    boolean accepts(String uri);

    /**
     * A broker for {@code config}, connected to its engine. Throws {@link IllegalArgumentException}
     * for a malformed URI and {@link IllegalStateException} when the engine cannot be reached.
     */
    Broker create(BrokerConfig config);

    /** The broker for {@code config} from the first provider on the class path that accepts its URI. */
    static Broker open(BrokerConfig config) {
        List<String> known = new ArrayList<>();
        for (BrokerProvider p : ServiceLoader.load(BrokerProvider.class, BrokerProvider.class.getClassLoader())) {
            if (p.accepts(config.uri())) {
                return p.create(config);
            }
            known.add(p.getClass().getSimpleName());
        }
        throw new IllegalArgumentException("no broker on the class path accepts '" + config.uri() + "' (found " + known
                + "); add halley-broker-redis or halley-broker-nats");
    }
}
