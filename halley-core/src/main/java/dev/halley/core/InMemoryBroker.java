package dev.halley.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The embedded broker: sequencing and history in this process. A restart loses history, and
 * every channel comes back with a new random epoch so resumes across it report the gap.
 * Stages complete on the caller's thread.
 */
public final class InMemoryBroker implements Broker {
    private final HistoryLimits limits;
    private final LongSupplier clock;
    private final Map<String, ChannelLog> logs = new ConcurrentHashMap<>();
    private volatile Listener listener;

    public InMemoryBroker(HistoryLimits limits) {
        this(limits, System::currentTimeMillis);
    }

    public InMemoryBroker(HistoryLimits limits, LongSupplier clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /** May be called again by a later hub on this broker (a server restarted in-process): its listener replaces the last. */
    @Override
    public void start(Listener listener) {
        this.listener = listener;
    }

    @Override
    public CompletionStage<Message> publish(String channel, byte[] data) {
        return CompletableFuture.completedFuture(log(channel).append(data));
    }

    @Override
    public CompletionStage<HistorySlice> history(String channel, long after, int limit) {
        return CompletableFuture.completedFuture(log(channel).slice(after, limit, Long.MIN_VALUE));
    }

    @Override
    public CompletionStage<HistorySlice> historySince(String channel, long time) {
        return CompletableFuture.completedFuture(log(channel).slice(0, Integer.MAX_VALUE, time));
    }

    @Override
    public CompletionStage<Collection<String>> channels(ChannelPattern pattern) {
        List<String> out = new ArrayList<>();
        for (String name : logs.keySet()) {
            if (pattern.matches(name)) {
                out.add(name);
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public void subscribe(ChannelPattern pattern) {
        // One process: every message is already local.
    }

    @Override
    public void unsubscribe(ChannelPattern pattern) {
    }

    /** Forgets channels idle longer than the idle expiry. Call periodically. */
    @Override
    public void sweep() {
        long now = clock.getAsLong();
        logs.values().removeIf(log -> log.idleSince(now) > limits.idleExpiry().toMillis());
    }

    /** Number of channels held, for metrics. */
    public int channelCount() {
        return logs.size();
    }

    @Override
    public void close() {
        logs.clear();
    }

    private ChannelLog log(String channel) {
        return logs.computeIfAbsent(channel, ChannelLog::new);
    }

    /** One channel's sequencer and history ring. */
    private final class ChannelLog {
        private final String channel;
        private final String epoch = Epochs.random();
        private final ArrayDeque<Message> ring = new ArrayDeque<>();
        private final OrderedDispatcher<Message> dispatcher = new OrderedDispatcher<>(m -> {
            Listener l = listener;
            if (l != null) {
                l.onMessage(m);
            }
        });
        private long latest;
        private long lastActivity;

        ChannelLog(String channel) {
            this.channel = channel;
            this.lastActivity = clock.getAsLong();
        }

        Message append(byte[] data) {
            Message m;
            synchronized (this) {
                // Never before the previous message, even if the wall clock steps back: history is
                // trimmed by age and searched by time (historySince) assuming times in offset order.
                long now = Math.max(clock.getAsLong(), lastActivity);
                m = new Message(channel, epoch, ++latest, now, data);
                lastActivity = now;
                if (limits.maxMessages() > 0) {
                    ring.addLast(m);
                }
                trimLocked(now);
                dispatcher.add(m);
            }
            dispatcher.run();
            return m;
        }

        synchronized HistorySlice slice(long after, int limit, long sinceTime) {
            long now = clock.getAsLong();
            trimLocked(now);
            long first = ring.isEmpty() ? latest + 1 : ring.peekFirst().offset();
            List<Message> out = new ArrayList<>();
            if (limit > 0) {
                Iterator<Message> it = ring.descendingIterator();
                while (it.hasNext() && out.size() < limit) {
                    Message m = it.next();
                    if (m.offset() <= after || m.time() < sinceTime) {
                        break;
                    }
                    out.add(m);
                }
                java.util.Collections.reverse(out);
            }
            return new HistorySlice(channel, epoch, latest, first, out);
        }

        synchronized long idleSince(long now) {
            trimLocked(now);
            return ring.isEmpty() ? now - lastActivity : 0;
        }

        private void trimLocked(long now) {
            long oldest = now - limits.maxAge().toMillis();
            while (!ring.isEmpty() && (ring.size() > limits.maxMessages() || ring.peekFirst().time() < oldest)) {
                ring.pollFirst();
            }
        }
    }
}
