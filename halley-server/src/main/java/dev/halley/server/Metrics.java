package dev.halley.server;

import dev.halley.core.CloseReason;
import dev.halley.core.ReplyError;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every door updates, served at {@code /metrics} in the Prometheus text format. Cheap
 * on hot paths: {@link LongAdder}s, no locks.
 */
public final class Metrics {
    /** The request deadlines whose expiry closes a connection. */
    public enum Deadline {
        HEADERS("headers"), BODY("body"), IDLE("idle");

        private final String label;

        Deadline(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder connectionsOpen = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<ReplyError, LongAdder> errors = new EnumMap<>(ReplyError.class);
    private final Map<CloseReason, LongAdder> closes = new EnumMap<>(CloseReason.class);
    private final Map<Deadline, LongAdder> timeouts = new EnumMap<>(Deadline.class);
    private final LongAdder sockjsSessionsOpen = new LongAdder();
    private final Map<String, LongAdder> sockjsSessionsEnded = new ConcurrentHashMap<>();

    public Metrics() {
        for (ReplyError e : ReplyError.values()) {
            errors.put(e, new LongAdder());
        }
        for (CloseReason r : CloseReason.values()) {
            closes.put(r, new LongAdder());
        }
        for (Deadline d : Deadline.values()) {
            timeouts.put(d, new LongAdder());
        }
    }

    public void connectionOpened() {
        connectionsOpened.increment();
        connectionsOpen.increment();
    }

    public void connectionClosed() {
        connectionsOpen.decrement();
    }

    public void request(String route) {
        requests.computeIfAbsent(route, r -> new LongAdder()).increment();
    }

    /** A request refused with {@code error} (bad input, limits, auth). */
    public void error(ReplyError error) {
        errors.get(error).increment();
    }

    public void closed(CloseReason reason) {
        closes.get(reason).increment();
    }

    /** A connection closed because the client missed {@code deadline}. */
    public void timedOut(Deadline deadline) {
        timeouts.get(deadline).increment();
    }

    public void published(int n) {
        published.add(n);
    }

    public void delivered(int n) {
        delivered.add(n);
    }

    public long errorCount(ReplyError e) {
        return errors.get(e).sum();
    }

    public long closeCount(CloseReason r) {
        return closes.get(r).sum();
    }

    public long timeoutCount(Deadline d) {
        return timeouts.get(d).sum();
    }

    /** Requests dispatched to {@code route} (a route key, e.g. {@code /sockjs/**}) so far. */
    public long requests(String route) {
        LongAdder n = requests.get(route);
        return n == null ? 0 : n.sum();
    }

    public long openConnections() {
        return connectionsOpen.sum();
    }

    /** A SockJS session began (a session is not a connection: it outlives the requests that carry it). */
    public void sockjsSessionOpened() {
        sockjsSessionsOpen.increment();
    }

    /**
     * A SockJS session ended, by how: {@code service} (its application closed it), {@code client},
     * {@code timed_out}, {@code interrupted}, or the code of the {@link CloseReason} the server closed it for.
     */
    public void sockjsSessionEnded(String how) {
        sockjsSessionsOpen.decrement();
        sockjsSessionsEnded.computeIfAbsent(how, h -> new LongAdder()).increment();
    }

    public long sockjsSessionsOpen() {
        return sockjsSessionsOpen.sum();
    }

    public long sockjsSessionsEnded(String how) {
        LongAdder n = sockjsSessionsEnded.get(how);
        return n == null ? 0 : n.sum();
    }

    /** Prometheus text exposition (version 0.0.4). */
    public String render(int channels) {
        StringBuilder sb = new StringBuilder(2048);
        counter(sb, "halley_connections_opened_total", "TCP connections accepted.", connectionsOpened.sum());
        gauge(sb, "halley_connections_open", "TCP connections open now.", connectionsOpen.sum());
        counter(sb, "halley_messages_published_total", "Messages accepted for publishing on this node.", published.sum());
        counter(sb, "halley_messages_delivered_total", "Messages written to clients.", delivered.sum());
        gauge(sb, "halley_subscribed_patterns", "Channels and wildcard patterns with local subscribers.", channels);
        sb.append("# HELP halley_requests_total HTTP requests by route.\n# TYPE halley_requests_total counter\n");
        requests.forEach((route, n) -> sb.append("halley_requests_total{route=\"").append(labelValue(route)).append("\"} ")
                .append(n.sum()).append('\n'));
        sb.append("# HELP halley_errors_total Requests refused, by error code.\n# TYPE halley_errors_total counter\n");
        errors.forEach((e, n) -> sb.append("halley_errors_total{code=\"").append(e.code()).append("\"} ").append(n.sum()).append('\n'));
        sb.append("# HELP halley_closes_total Connections and streams ended by the server, by reason.\n# TYPE halley_closes_total counter\n");
        closes.forEach((r, n) -> sb.append("halley_closes_total{reason=\"").append(r.code()).append("\"} ").append(n.sum()).append('\n'));
        sb.append("# HELP halley_timeouts_total Connections closed because a request deadline passed, by phase.\n")
                .append("# TYPE halley_timeouts_total counter\n");
        timeouts.forEach((d, n) -> sb.append("halley_timeouts_total{phase=\"").append(d.label()).append("\"} ").append(n.sum()).append('\n'));
        gauge(sb, "halley_sockjs_sessions_open", "SockJS sessions open now.", sockjsSessionsOpen.sum());
        sb.append("# HELP halley_sockjs_sessions_ended_total SockJS sessions ended, by how.\n")
                .append("# TYPE halley_sockjs_sessions_ended_total counter\n");
        sockjsSessionsEnded.forEach((how, n) -> sb.append("halley_sockjs_sessions_ended_total{how=\"").append(how).append("\"} ")
                .append(n.sum()).append('\n'));
        return sb.toString();
    }

    /** A label value in the text format: backslash, quote and newline escaped (routes may come from the host application). */
    private static String labelValue(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(v).append('\n');
    }
}
