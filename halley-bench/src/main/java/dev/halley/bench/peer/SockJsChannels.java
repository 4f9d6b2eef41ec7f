package dev.halley.bench.peer;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The SockJS peer's channel model: which sockets are subscribed to which channel, kept per event
 * loop so that fan-out needs no lock and at most one hop per event loop per publish.
 *
 * <p>A socket is registered in the partition of the context its session was opened on; all of its
 * subscribe, unsubscribe and close events are applied there. A publish hands the frame to every
 * partition, which writes it to its subscribers on its own event loop. The frame {@link Buffer} is
 * shared read-only by all writes (SockJS copies it into its own framing).
 */
final class SockJsChannels {

    /** Channels one socket may hold; the bench's chat shape needs 10. */
    static final int MAX_CHANNELS_PER_SOCKET = 64;

    private final ConcurrentMap<Context, Partition> partitions = new ConcurrentHashMap<>();

    /** The partition of the calling event loop; call from a Vert.x context. */
    Partition here() {
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("Not on a Vert.x context");
        }
        return partitions.computeIfAbsent(context, Partition::new);
    }

    /** Delivers {@code frame} to every socket subscribed to {@code channel}, each on its own event loop. */
    void publish(String channel, Buffer frame) {
        for (Partition partition : partitions.values()) {
            partition.execute(() -> partition.deliver(channel, frame));
        }
    }

    /** One event loop's subscriptions; touched only on that event loop. */
    static final class Partition {
        private final Context context;
        private final Map<String, Set<SockJSSocket>> subscribers = new HashMap<>();
        private final Map<SockJSSocket, Set<String>> channelsOf = new HashMap<>();

        private Partition(Context context) {
            this.context = context;
        }

        /** Runs {@code task} on this partition's event loop: inline when already there. */
        void execute(Runnable task) {
            if (Vertx.currentContext() == context) {
                task.run();
            } else {
                context.runOnContext(v -> task.run());
            }
        }

        /** Adds a subscription; false when the socket already holds {@link #MAX_CHANNELS_PER_SOCKET}. */
        boolean subscribe(SockJSSocket socket, String channel) {
            Set<String> channels = channelsOf.computeIfAbsent(socket, s -> new HashSet<>());
            if (!channels.contains(channel) && channels.size() >= MAX_CHANNELS_PER_SOCKET) {
                return false;
            }
            channels.add(channel);
            subscribers.computeIfAbsent(channel, c -> new LinkedHashSet<>()).add(socket);
            return true;
        }

        void unsubscribe(SockJSSocket socket, String channel) {
            Set<String> channels = channelsOf.get(socket);
            if (channels != null && channels.remove(channel)) {
                removeSubscriber(channel, socket);
            }
        }

        /** Forgets a closed socket. */
        void drop(SockJSSocket socket) {
            Set<String> channels = channelsOf.remove(socket);
            if (channels != null) {
                channels.forEach(channel -> removeSubscriber(channel, socket));
            }
        }

        private void removeSubscriber(String channel, SockJSSocket socket) {
            Set<SockJSSocket> sockets = subscribers.get(channel);
            if (sockets != null && sockets.remove(socket) && sockets.isEmpty()) {
                subscribers.remove(channel);
            }
        }

        private void deliver(String channel, Buffer frame) {
            Set<SockJSSocket> sockets = subscribers.get(channel);
            if (sockets != null) {
                sockets.forEach(socket -> socket.write(frame));
            }
        }

        @Override
        public String toString() {
            return "Partition[" + context + ", sockets=" + channelsOf.size() + ", channels=" + subscribers.size() + "]";
        }
    }
}
