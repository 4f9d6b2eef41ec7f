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
    /** Protocol sessions (Bayeux, …) open now, by protocol; and ended, by protocol and reason. */
    private final Map<String, LongAdder> sessionsOpen = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> sessionsEnded = new ConcurrentHashMap<>();

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

    /** A protocol session (one that outlives requests, such as Bayeux's) began. */
    public void sessionOpened(String protocol) {
        sessionsOpen.computeIfAbsent(protocol, p -> new LongAdder()).increment();
    }

    /** A protocol session ended for {@code reason} (a protocol's own closed vocabulary, e.g. {@code expired}). */
    public void sessionEnded(String protocol, String reason) {
        sessionsOpen.computeIfAbsent(protocol, p -> new LongAdder()).decrement();
        sessionsEnded.computeIfAbsent(protocol + '\u0000' + reason, k -> new LongAdder()).increment();
    }

    public long sessionsOpen(String protocol) {
        LongAdder n = sessionsOpen.get(protocol);
        return n == null ? 0 : n.sum();
    }

    public long sessionsEnded(String protocol, String reason) {
        LongAdder n = sessionsEnded.get(protocol + '\u0000' + reason);
        return n == null ? 0 : n.sum();
    }

    /** Requests routed to {@code route} (its route key, e.g. {@code "/cometd/**"}) so far. */
    public long requestCount(String route) {
        LongAdder n = requests.get(route);
        return n == null ? 0 : n.sum();
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

    public long openConnections() {
        return connectionsOpen.sum();
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
        renderSessions(sb);
        return sb.toString();
    }

    private void renderSessions(StringBuilder sb) {
        sb.append("# HELP halley_sessions_open Protocol sessions (Bayeux, ...) alive now.\n# TYPE halley_sessions_open gauge\n");
        sessionsOpen.forEach((protocol, n) -> sb.append("halley_sessions_open{protocol=\"").append(labelValue(protocol)).append("\"} ")
                .append(n.sum()).append('\n'));
        sb.append("# HELP halley_sessions_ended_total Protocol sessions ended, by protocol and reason.\n")
                .append("# TYPE halley_sessions_ended_total counter\n");
        sessionsEnded.forEach((key, n) -> {
            int cut = key.indexOf('\u0000');
            sb.append("halley_sessions_ended_total{protocol=\"").append(labelValue(key.substring(0, cut))).append("\",reason=\"")
                    .append(labelValue(key.substring(cut + 1))).append("\"} ").append(n.sum()).append('\n');
        });
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
