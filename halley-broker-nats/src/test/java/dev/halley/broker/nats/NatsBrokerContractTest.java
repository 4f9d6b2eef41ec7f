package dev.halley.broker.nats;

import dev.halley.core.Broker;
import dev.halley.core.BrokerConfig;
import dev.halley.core.BrokerContract;
import dev.halley.core.HistoryLimits;
import dev.halley.core.testing.EngineProcess;
import dev.halley.core.testing.Engines;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeAll;

/**
 * The broker contract on the shared NATS at 127.0.0.1:4222, each test in a namespace of its own,
 * removed after. One documented difference: message times are the publishing node's clock
 * ({@link MessageTime#NODE}), asserted by {@code timesAcrossNodesWithSkewedClocks}.
 */
class NatsBrokerContractTest extends BrokerContract {

    @BeforeAll
    static void nats() {
        Engines.requireNats();
    }

    @Override
    protected Broker node(String namespace, HistoryLimits limits, LongSupplier clock) {
        return new NatsBroker(new BrokerConfig(Engines.NATS, namespace, limits, 1 << 20), clock);
    }

    @Override
    protected boolean clustered() {
        return true;
    }

    /** A node of a private nats-server that is then killed. */
    @Override
    protected Broker unreachable(HistoryLimits limits) {
        Engines.requireCommand("nats-server");
        try (EngineProcess nats = EngineProcess.nats()) {
            Broker broker = new NatsBroker(new BrokerConfig(nats.uri(), "down", limits, 1 << 20), System::currentTimeMillis);
            nats.kill();
            return broker;
        }
    }

    @Override
    protected MessageTime messageTime() {
        return MessageTime.NODE;
    }

    @Override
    protected void cleanUp(String namespace) {
        NatsNamespace.drop(Engines.NATS, namespace);
    }
}
