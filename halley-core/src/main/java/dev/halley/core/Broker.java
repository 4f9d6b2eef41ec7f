package dev.halley.core;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * Where messages get their place and where history lives: the one sequencer per channel that
 * every node of a cluster agrees on.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Order and offsets.</b> {@link #publish} assigns the channel's next offset (offsets
 *       start at 1 and grow by one, gap-free within an epoch) and appends the message to the
 *       channel's history in the same atomic step. Two publishes to one channel are ordered the
 *       same way for every node.</li>
 *   <li><b>Epoch.</b> Each channel has an epoch. It changes whenever offsets could repeat or
 *       history was lost, so an {@code (epoch, offset)} pair never names two messages.</li>
 *   <li><b>Live fan-out is at most once.</b> Every message published on any node is handed to
 *       {@link Listener#onMessage} on each node that has {@linkplain #subscribe subscribed}
 *       to a pattern matching its channel, in offset order per channel, each message once.
 *       A node may miss live messages (network, engine restart); history is the recovery path.</li>
 *   <li><b>History</b> is bounded by count and age; {@link #history} returns what it still
 *       holds with the channel's top position, so the caller can tell whether it reaches back.</li>
 *   <li><b>Threading.</b> All methods are thread-safe and never block the caller on I/O: they
 *       return stages that complete on a broker thread or the caller's. Listener calls for one
 *       channel never overlap.</li>
 *   <li><b>Unreachable engine.</b> {@link #publish} and {@link #history} fail their stage with a
 *       {@link HalleyException} of {@link ReplyError#UNAVAILABLE} quickly (within 2 s) rather
 *       than queueing without bound.</li>
 * </ul>
 */
public interface Broker extends AutoCloseable {

    /** Receives messages for the patterns this node subscribed to. */
    interface Listener {
        /** One message, in offset order per channel; must not block. */
        void onMessage(Message message);
    }

    /** Starts the broker; messages for subscribed patterns go to {@code listener}. Called once. */
    void start(Listener listener);

    /** Publishes {@code data} (valid JSON bytes) to {@code channel}; completes with the stored message. */
    CompletionStage<Message> publish(String channel, byte[] data);

    /**
     * What history holds of {@code channel} after offset {@code after} (exclusive), at most
     * {@code limit} newest messages. {@code limit = 0} asks only for the top position.
     */
    CompletionStage<HistorySlice> history(String channel, long after, int limit);

    /** Messages published at or after {@code time} (epoch millis) that history still holds. */
    CompletionStage<HistorySlice> historySince(String channel, long time);

    /** The channels under {@code pattern} that currently have history; used to resume wildcards. */
    CompletionStage<Collection<String>> channels(ChannelPattern pattern);

    /** This node now has local subscribers for {@code pattern}: deliver its messages here. */
    void subscribe(ChannelPattern pattern);

    /** This node no longer has local subscribers for {@code pattern}. */
    void unsubscribe(ChannelPattern pattern);

    /** Stops the broker and releases its resources. */
    @Override
    void close();
}
