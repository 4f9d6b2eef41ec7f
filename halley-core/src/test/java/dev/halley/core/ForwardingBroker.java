package dev.halley.core;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/** A broker that forwards everything to another; tests override the calls they watch. */
class ForwardingBroker implements Broker {
    private final Broker delegate;

    ForwardingBroker(Broker delegate) {
        this.delegate = delegate;
    }

    @Override
    public void start(Listener listener) {
        delegate.start(listener);
    }

    @Override
    public CompletionStage<Message> publish(String channel, byte[] data) {
        return delegate.publish(channel, data);
    }

    @Override
    public CompletionStage<HistorySlice> history(String channel, long after, int limit) {
        return delegate.history(channel, after, limit);
    }

    @Override
    public CompletionStage<HistorySlice> historySince(String channel, long time) {
        return delegate.historySince(channel, time);
    }

    @Override
    public CompletionStage<Collection<String>> channels(ChannelPattern pattern) {
        return delegate.channels(pattern);
    }

    @Override
    public void subscribe(ChannelPattern pattern) {
        delegate.subscribe(pattern);
    }

    @Override
    public void unsubscribe(ChannelPattern pattern) {
        delegate.unsubscribe(pattern);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
