package dev.halley.core;

import java.util.function.LongSupplier;

/** The broker contract on the embedded broker: one process, so no cross-node cases and no engine to lose. */
class InMemoryBrokerContractTest extends BrokerContract {
    @Override
    protected Broker node(String namespace, HistoryLimits limits, LongSupplier clock) {
        return new InMemoryBroker(limits, clock);
    }

    @Override
    protected boolean clustered() {
        return false;
    }

    @Override
    protected Broker unreachable(HistoryLimits limits) {
        return null;
    }

    @Override
    protected MessageTime messageTime() {
        return MessageTime.ENGINE;
    }
}
