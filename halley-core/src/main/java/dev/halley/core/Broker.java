package dev.halley.core;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * Where messages get their place and where history lives: the one sequencer per channel that
 * every node of a cluster agrees on. {@link InMemoryBroker} is the reference for one process;
 * {@code halley-broker-redis} and {@code halley-broker-nats} run several nodes over a shared
 * engine. Brokers are found by {@link BrokerProvider}; {@code BrokerContract} (in halley-core's
 * test jar) is the one test class every broker passes.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Order and offsets.</b> {@link #publish} assigns the channel's next offset (offsets
 *       start at 1 and grow by one, gap-free within an epoch) in one place for the whole
 *       cluster, so two publishes to one channel, from any nodes, are ordered the same way for
 *       every node and every client. Offsets of different channels are independent.</li>
 *   <li><b>Atomic publish and history.</b> The offset is assigned, the message appended to the
 *       channel's history and handed to live fan-out in one step of the engine: a message whose
 *       publish completed is in history (until trimmed); a publish refused because the engine
 *       could not be reached took no offset and reached nobody. There is no message that is
 *       live but was never in history. (A publish that timed out on the way, the engine hanging
 *       rather than gone, may still have been applied, as with any request over a network.)</li>
 *   <li><b>Epoch.</b> Each channel has an epoch, a string of 1–64 letters, digits, {@code -} or
 *       {@code _} ({@link Epochs#isValid}). It changes whenever offsets could repeat or history
 *       was lost (an engine restarted empty or failed over, a channel idle past
 *       {@link HistoryLimits#idleExpiry()} forgotten), so an {@code (epoch, offset)} pair never
 *       names two different messages. Reading an unknown channel fixes its epoch: a client that
 *       read the top of an empty channel and then receives its first message sees the same
 *       epoch, not a gap.</li>
 *   <li><b>Time.</b> {@link Message#time()} is when the broker accepted the message (epoch
 *       millis), and does not go backwards within a channel, so history can be searched by time
 *       ({@link #historySince}) in offset order. (Where a broker cannot promise this across
 *       nodes, its documentation says so and its contract test shows it.)</li>
 *   <li><b>Live fan-out is at most once.</b> Every message published on any node is handed to
 *       {@link Listener#onMessage} on each node that has {@linkplain #subscribe subscribed} to a
 *       pattern matching its channel: per channel in offset order, each message once, none
 *       skipped that history still held when its loss was noticed. A node's subscription is in
 *       force for every message published after {@link #subscribe} returned and before
 *       {@link #unsubscribe}; messages of other channels may or may not be handed over (the hub
 *       filters). A broker that notices it lost live messages (a dropped connection, an
 *       overflowing buffer) repairs the run from history before handing over the next message;
 *       what history no longer holds is skipped, visible to clients as a jump in offsets.</li>
 *   <li><b>History is the recovery path.</b> History keeps at most
 *       {@link HistoryLimits#maxMessages()} per channel, none older than
 *       {@link HistoryLimits#maxAge()}. {@link #history} returns what it still holds with the
 *       channel's top position and first held offset, so the caller can tell whether it reaches
 *       back to a client's position ({@link HistorySlice#reaches}); a client that resumes from
 *       its last {@code (epoch, offset)} on any node gets exactly what it missed, or is told
 *       that it cannot ({@code recovered: false}).</li>
 *   <li><b>Readiness.</b> A {@link #history} or {@link #historySince} read issued after
 *       {@link #subscribe} of a pattern matching its channel sees the subscription in force: every
 *       message it does not return is handed to the listener afterwards. That is what lets a
 *       {@link Feed} subscribe first and read history second without losing the messages in
 *       between.</li>
 *   <li><b>Threading.</b> All methods are thread-safe and never block the caller on I/O: they
 *       return stages that complete on a broker thread or the caller's (do not block in their
 *       callbacks). {@link #subscribe} and {@link #unsubscribe} return at once. Listener calls
 *       for one channel never overlap, and the listener must not block.</li>
 *   <li><b>Unreachable engine.</b> While the engine cannot be reached, {@link #publish},
 *       {@link #history}, {@link #historySince} and {@link #channels} fail their stage with a
 *       {@link HalleyException} of {@link ReplyError#UNAVAILABLE} within 2 s rather than queueing
 *       without bound (a door answers 503). Clients already subscribed stay connected and get
 *       nothing until the engine is back; the broker then reconnects and re-subscribes by
 *       itself, repairs what history still holds, and a channel whose history was lost comes
 *       back with a new epoch, so resuming and live clients are told of the gap.</li>
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

    /**
     * Housekeeping the server runs once a minute: forget idle channels, drop state kept for
     * channels no longer followed. Never blocks for long. Does nothing by default.
     */
    default void sweep() {
    }

    /** Stops the broker and releases its resources. */
    @Override
    void close();
}
