package dev.halley.core;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands items to a consumer one at a time, in the order they were {@linkplain #add added},
 * on whichever caller thread finds it idle; never under the caller's lock. Used to fan out a
 * channel's messages in offset order while publishers only hold the channel lock to sequence.
 */
final class OrderedDispatcher<T> {
    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Consumer<T> consumer;

    OrderedDispatcher(Consumer<T> consumer) {
        this.consumer = consumer;
    }

    /** Enqueues; call under the lock that decides the order. */
    void add(T item) {
        queue.add(item);
    }

    /** Drains what is queued unless another thread already does; call after unlocking. */
    void run() {
        while (!queue.isEmpty() && running.compareAndSet(false, true)) {
            try {
                T item;
                while ((item = queue.poll()) != null) {
                    consumer.accept(item);
                }
            } finally {
                running.set(false);
            }
        }
    }
}
