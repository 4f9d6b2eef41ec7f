package dev.halley.broker.nats;

import dev.halley.core.Broker;
import dev.halley.core.BrokerConfig;
import dev.halley.core.ChannelPattern;
import dev.halley.core.Epochs;
import dev.halley.core.HalleyException;
import dev.halley.core.HistorySlice;
import dev.halley.core.LiveSubscriptions;
import dev.halley.core.Message;
import dev.halley.core.Position;
import dev.halley.core.ReplyError;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.Republish;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Broker} on NATS with JetStream (contract on {@link Broker}; layout in
 * {@link NatsNames}).
 *
 * <ul>
 *   <li><b>Sequencer and history.</b> One stream per channel: JetStream assigns the next
 *       sequence (the offset) and stores the message within the history bounds (the stream's
 *       message count and age limits) in one step, and republishes it with its sequence to the
 *       live subject: atomic publish, history and fan-out.</li>
 *   <li><b>Epoch.</b> Chosen when the stream is made and kept in its subject. A stream deleted
 *       (idle past the expiry, by an operator, or lost with a NATS server's storage) comes back
 *       with a new epoch; a NATS restart that kept its storage keeps epochs and history, so
 *       resumes across it are whole.</li>
 *   <li><b>Time</b> is the publishing node's clock (NATS 2.9 does not republish the stored
 *       time): never backwards within a channel published from one node, but across nodes it is
 *       only as good as their clocks. The contract test shows this difference.</li>
 *   <li><b>Live fan-out.</b> Core NATS subscriptions on the live subjects of the channels and
 *       wildcards this node follows, through {@link LiveSubscriptions} (repeats dropped, runs lost
 *       to a reconnect or a slow-consumer drop repaired from history).</li>
 *   <li><b>NATS away.</b> Nothing is buffered while disconnected: publishes and reads fail at
 *       once (or after 1.5 s when the server hangs) with {@code UNAVAILABLE}.</li>
 * </ul>
 *
 * <p>JetStream management calls block, so they run on a small pool ({@link #IO_THREADS} threads,
 * {@link #IO_QUEUE} waiting; past that, reads fail as {@code UNAVAILABLE}). A history read costs
 * one request for the stream's state and one per message returned.
 */
public final class NatsBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(NatsBroker.class);
    static final Duration REQUEST_TIMEOUT = Duration.ofMillis(1500);
    static final int IO_THREADS = 4;
    static final int IO_QUEUE = 10_000;
    private static final int STREAM_NOT_FOUND = 10059;
    private static final int STREAM_NAME_IN_USE = 10058;
    private static final int NO_MESSAGE = 10037;

    private final BrokerConfig config;
    private final NatsNames names;
    private final LongSupplier clock;
    private final Connection connection;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final ThreadPoolExecutor io;
    /** Where this node publishes each channel it published to: stream, epoch, subject; and its last time. */
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private volatile LiveSubscriptions live;
    private volatile Dispatcher dispatcher;

    /** One channel's stream as this node last knew it. Guarded by itself: time and send order agree. */
    private static final class Route {
        final String stream;
        final String epoch;
        final String subject;
        final PublishOptions options;
        long lastTime;

        Route(String stream, String epoch, String subject) {
            this.stream = stream;
            this.epoch = epoch;
            this.subject = subject;
            this.options = PublishOptions.builder().expectedStream(stream).build();
        }
    }

    /** Connects to NATS at {@code config.uri()}; throws {@link IllegalStateException} when it or JetStream is not there. */
    public NatsBroker(BrokerConfig config, LongSupplier clock) {
        this.config = config;
        this.names = new NatsNames(config.prefix());
        this.clock = clock;
        this.io = new ThreadPoolExecutor(IO_THREADS, IO_THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(IO_QUEUE), r -> {
            Thread t = new Thread(r, "halley-nats-io");
            t.setDaemon(true);
            return t;
        });
        io.allowCoreThreadTimeOut(true);
        Options options = new Options.Builder()
                .server(config.uri())
                .connectionName("halley")
                .connectionTimeout(Duration.ofSeconds(1))
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(250))
                .reconnectBufferSize(0) // fail, never send late: a publish that failed must not happen after all
                .connectionListener(this::onConnectionEvent)
                .errorListener(new Errors())
                .build();
        try {
            this.connection = Nats.connect(options);
            this.js = connection.jetStream(JetStreamOptions.builder().requestTimeout(REQUEST_TIMEOUT).build());
            this.jsm = connection.jetStreamManagement(JetStreamOptions.builder().requestTimeout(REQUEST_TIMEOUT).build());
            jsm.getAccountStatistics();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            io.shutdownNow();
            throw new IllegalStateException("NATS with JetStream at " + config.uri() + " cannot be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            io.shutdownNow();
            throw new IllegalStateException("interrupted while connecting to NATS", e);
        }
    }

    @Override
    public void start(Listener listener) {
        live = new LiveSubscriptions("nats", listener, new Subjects(), (channel, after) -> io(() -> read(channel, after, Integer.MAX_VALUE)),
                clock);
        dispatcher = connection.createDispatcher(this::onLive);
    }

    private void onLive(io.nats.client.Message msg) {
        String channel = names.channelOfLive(msg.getSubject());
        Headers h = msg.getHeaders();
        if (channel == null || h == null || h.getFirst("Nats-Subject") == null || h.getFirst("Nats-Sequence") == null) {
            return;
        }
        try {
            String epoch = names.epochAndChannel(h.getFirst("Nats-Subject"))[0];
            long offset = Long.parseLong(h.getFirst("Nats-Sequence"));
            String time = h.getFirst(NatsNames.TIME_HEADER);
            live.offer(new Message(channel, epoch, offset, time != null ? Long.parseLong(time) : clock.getAsLong(), msg.getData()));
        } catch (RuntimeException e) {
            LOG.warn("Ignoring a live message on {} that is not Halley's", msg.getSubject());
        }
    }

    // ---- publish ----------------------------------------------------------------------------

    @Override
    public CompletionStage<Message> publish(String channel, byte[] data) {
        Route known = routes.get(channel);
        CompletionStage<Route> route = known != null ? CompletableFuture.completedFuture(known) : io(() -> route(channel));
        return guard(route.thenCompose(r -> send(r, channel, data)).exceptionallyCompose(e -> {
            if (!isStaleRoute(e)) {
                return CompletableFuture.failedFuture(e);
            }
            // The stream is gone or has another epoch: learn (or make) it, and try once more.
            routes.remove(channel);
            return io(() -> route(channel)).thenCompose(r -> send(r, channel, data));
        }));
    }

    private CompletionStage<Message> send(Route r, String channel, byte[] data) {
        long time;
        CompletableFuture<PublishAck> ack;
        synchronized (r) {
            time = Math.max(clock.getAsLong(), r.lastTime);
            r.lastTime = time;
            Headers headers = new Headers().put(NatsNames.TIME_HEADER, Long.toString(time));
            try {
                ack = js.publishAsync(r.subject, headers, data, r.options);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return ack.orTimeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(a -> new Message(channel, r.epoch, a.getSeqno(), time, data));
    }

    private static boolean isStaleRoute(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No Responders") || m.contains("expected stream does not match"))) {
                return true;
            }
        }
        return false;
    }

    /** The channel's stream (made if missing), remembered for publishing. Blocking. */
    private Route route(String channel) throws IOException, JetStreamApiException {
        StreamInfo info = streamInfo(channel);
        String epoch = epochOf(info);
        Route fresh = new Route(names.stream(channel), epoch, names.stored(epoch, channel));
        return routes.merge(channel, fresh, (old, f) -> old.epoch.equals(f.epoch) ? old : f);
    }

    /** The channel's stream, made with a new epoch if there is none (another node may make it first). Blocking. */
    private StreamInfo streamInfo(String channel) throws IOException, JetStreamApiException {
        String stream = names.stream(channel);
        try {
            return jsm.getStreamInfo(stream);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                throw e;
            }
        }
        try {
            return jsm.addStream(streamConfig(channel, stream, Epochs.random()));
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                throw e;
            }
            return jsm.getStreamInfo(stream);
        }
    }

    private StreamConfiguration streamConfig(String channel, String stream, String epoch) {
        // NATS reads 0 as "no limit": history off keeps one message, never returned.
        Duration age = config.history().maxAge().isZero() ? Duration.ofSeconds(1) : config.history().maxAge();
        Duration dedupe = age.compareTo(Duration.ofMinutes(2)) < 0 ? age : Duration.ofMinutes(2);
        String stored = names.stored(epoch, channel);
        return StreamConfiguration.builder()
                .name(stream)
                .description(channel)
                .subjects(stored)
                .storageType(StorageType.File)
                .maxMessages(Math.max(1, config.history().maxMessages()))
                .maxAge(age)
                .discardPolicy(DiscardPolicy.Old)
                .duplicateWindow(dedupe)
                .allowDirect(true)
                .republish(Republish.builder().source(stored).destination(names.live(channel)).build())
                .build();
    }

    private String epochOf(StreamInfo info) {
        return names.epochAndChannel(info.getConfiguration().getSubjects().get(0))[0];
    }

    // ---- history ----------------------------------------------------------------------------

    @Override
    public CompletionStage<HistorySlice> history(String channel, long after, int limit) {
        return live.ready(channel).thenCompose(v -> io(() -> read(channel, after, limit)));
    }

    @Override
    public CompletionStage<HistorySlice> historySince(String channel, long time) {
        return history(channel, 0, Integer.MAX_VALUE).thenApply(all -> all.since(time));
    }

    /**
     * One read: the stream's state, then the messages asked for. Messages past the age bound that
     * JetStream has not yet removed are left out, as if removed. Blocking.
     */
    private HistorySlice read(String channel, long after, int limit) throws IOException, JetStreamApiException {
        StreamInfo info = streamInfo(channel);
        String stream = info.getConfiguration().getName();
        String epoch = epochOf(info);
        StreamState state = info.getStreamState();
        long latest = state.getLastSequence();
        if (config.history().maxMessages() == 0 || state.getMsgCount() == 0) {
            return new HistorySlice(channel, epoch, latest, latest + 1, List.of());
        }
        long cutoff = clock.getAsLong() - config.history().maxAge().toMillis();
        long first = state.getFirstSequence();
        Message head = fetch(stream, channel, epoch, first);
        while (first <= latest && (head == null || head.time() < cutoff)) {
            first++;
            head = first <= latest ? fetch(stream, channel, epoch, first) : null;
        }
        List<Message> out = new ArrayList<>();
        if (limit > 0 && after < latest) {
            long from = Math.max(Math.max(after + 1, first), latest - limit + 1);
            for (long seq = from; seq <= latest; seq++) {
                Message m = seq == first ? head : fetch(stream, channel, epoch, seq);
                if (m != null) {
                    out.add(m);
                }
            }
        }
        return new HistorySlice(channel, epoch, latest, first, out);
    }

    /** Message {@code seq} of the stream, or null if it is no longer there. Blocking. */
    private Message fetch(String stream, String channel, String epoch, long seq) throws IOException, JetStreamApiException {
        try {
            MessageInfo mi = jsm.getMessage(stream, seq);
            String time = mi.getHeaders() != null ? mi.getHeaders().getFirst(NatsNames.TIME_HEADER) : null;
            long t = time != null ? Long.parseLong(time) : mi.getTime().toInstant().toEpochMilli();
            return new Message(channel, epoch, seq, t, mi.getData());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NO_MESSAGE) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public CompletionStage<Collection<String>> channels(ChannelPattern pattern) {
        return io(() -> {
            List<String> out = new ArrayList<>();
            for (StreamInfo si : jsm.getStreams(names.storedFilter(pattern))) {
                String channel = names.epochAndChannel(si.getConfiguration().getSubjects().get(0))[1];
                if (pattern.matches(channel)) {
                    out.add(channel);
                }
            }
            return out;
        });
    }

    // ---- subscriptions and connection events ------------------------------------------------

    @Override
    public void subscribe(ChannelPattern pattern) {
        live.subscribe(pattern);
    }

    @Override
    public void unsubscribe(ChannelPattern pattern) {
        live.unsubscribe(pattern);
    }

    /** Core NATS subscriptions on live subjects; in force once a flush round trip came back. */
    private final class Subjects implements LiveSubscriptions.Engine {
        @Override
        public CompletionStage<Void> subscribe(ChannelPattern pattern) {
            try {
                dispatcher.subscribe(names.live(pattern));
            } catch (RuntimeException e) {
                return guard(CompletableFuture.failedFuture(e));
            }
            return io(() -> {
                connection.flush(REQUEST_TIMEOUT);
                return null;
            });
        }

        @Override
        public void unsubscribe(ChannelPattern pattern) {
            try {
                dispatcher.unsubscribe(names.live(pattern));
            } catch (RuntimeException e) {
                LOG.debug("unsubscribe {} while disconnected", pattern, e);
            }
        }

        @Override
        public CompletionStage<Position> top(String channel) {
            return io(() -> read(channel, Long.MAX_VALUE, 0).top());
        }
    }

    private void onConnectionEvent(Connection conn, ConnectionListener.Events event) {
        LiveSubscriptions l = live;
        switch (event) {
            case DISCONNECTED -> {
                if (l != null) {
                    l.disconnected();
                }
            }
            case RECONNECTED -> routes.clear(); // the server may have lost its streams
            case RESUBSCRIBED -> {
                if (l != null) {
                    l.reconnected();
                }
            }
            default -> { }
        }
    }

    /** A slow-consumer drop loses live messages without a reconnect: repair as after one. */
    private final class Errors implements ErrorListener {
        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            LiveSubscriptions l = live;
            if (l != null) {
                LOG.warn("NATS dropped live messages (slow consumer); repairing from history");
                l.disconnected();
                l.reconnected();
            }
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.debug("NATS connection exception", exp);
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------

    /** Runs a blocking call on the I/O pool; every failure becomes {@code UNAVAILABLE}. */
    private <T> CompletionStage<T> io(Callable<T> call) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            io.execute(() -> {
                try {
                    out.complete(call.call());
                } catch (Exception e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            out.completeExceptionally(new HalleyException(ReplyError.UNAVAILABLE, "The broker (NATS) is overloaded; try again shortly."));
        }
        return guard(out);
    }

    private static <T> CompletionStage<T> guard(CompletionStage<T> stage) {
        return stage.exceptionallyCompose(e -> {
            Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (t instanceof HalleyException) {
                return CompletableFuture.failedFuture(t);
            }
            LOG.debug("NATS call failed", t);
            return CompletableFuture.failedFuture(new HalleyException(ReplyError.UNAVAILABLE,
                    "The broker (NATS) could not be reached; try again shortly."));
        });
    }

    /**
     * Deletes the streams of channels idle past the idle expiry (no message held, none published
     * since): they come back with a new epoch. Runs on the I/O pool.
     */
    @Override
    public void sweep() {
        if (live != null) {
            live.sweep(config.history().idleExpiry().toMillis());
        }
        io(() -> {
            long idleSince = clock.getAsLong() - config.history().idleExpiry().toMillis();
            for (StreamInfo si : jsm.getStreams(names.allStored())) {
                StreamState st = si.getStreamState();
                long last = Math.max(si.getCreateTime().toInstant().toEpochMilli(),
                        st.getLastTime() != null ? st.getLastTime().toInstant().toEpochMilli() : 0);
                if (st.getMsgCount() == 0 && last < idleSince) {
                    jsm.deleteStream(si.getConfiguration().getName());
                    routes.remove(si.getConfiguration().getDescription());
                }
            }
            return null;
        });
    }

    @Override
    public void close() {
        if (live != null) {
            live.close();
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.shutdownNow();
    }

    @Override
    public String toString() {
        return "NatsBroker[" + config.uri() + ", prefix=" + names.prefix() + ", routes=" + routes.size() + ", " + live + "]";
    }
}
