package dev.halley.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * An in-memory broker whose history reads can be held back while the test publishes, then
 * released (read at that moment) or failed one by one: a slow remote broker, to stage the races
 * of a subscription's recovery deterministically.
 */
final class GatedBroker extends ForwardingBroker {
    private final List<Read> pending = new CopyOnWriteArrayList<>();
    private volatile boolean gated;
    private volatile RuntimeException throwOnRead;

    GatedBroker(InMemoryBroker delegate) {
        super(delegate);
    }

    /** One held history read. */
    static final class Read {
        final String channel;
        private final Supplier<CompletionStage<HistorySlice>> read;
        private final CompletableFuture<HistorySlice> future = new CompletableFuture<>();

        Read(String channel, Supplier<CompletionStage<HistorySlice>> read) {
            this.channel = channel;
            this.read = read;
        }

        /** Reads history now and completes the held stage with it. */
        void release() {
            read.get().whenComplete((slice, failure) -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    future.complete(slice);
                }
            });
        }

        void fail(RuntimeException failure) {
            future.completeExceptionally(failure);
        }
    }

    /** From now on, history reads wait for {@link Read#release()}. */
    void gate(boolean on) {
        gated = on;
    }

    /** History reads throw instead of returning a stage (a broken broker). */
    void throwOnRead(RuntimeException failure) {
        throwOnRead = failure;
    }

    List<Read> pending() {
        return pending;
    }

    private CompletionStage<HistorySlice> read(String channel, Supplier<CompletionStage<HistorySlice>> read) {
        RuntimeException t = throwOnRead;
        if (t != null) {
            throw t;
        }
        if (!gated) {
            return read.get();
        }
        Read r = new Read(channel, read);
        pending.add(r);
        return r.future;
    }

    @Override
    public CompletionStage<HistorySlice> history(String channel, long after, int limit) {
        return read(channel, () -> super.history(channel, after, limit));
    }

    @Override
    public CompletionStage<HistorySlice> historySince(String channel, long time) {
        return read(channel, () -> super.historySince(channel, time));
    }
}
