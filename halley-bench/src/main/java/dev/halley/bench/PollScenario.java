package dev.halley.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code poll}: closed-loop plain polling ({@code GET /poll?channel=C&since=0} on a channel holding
 * one message) over N connections, first with keep-alive, then with a new connection per request;
 * then {@code wrk} against the same URL when it is installed. Throughput is requests/s; latency is
 * request → response (a poll has no publish to measure from).
 */
final class PollScenario {
    private static final Pattern WRK_RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern WRK_PCT = Pattern.compile("\\s(50|99)%\\s+([0-9.]+)(us|ms|s)");
    private final Bench bench;
    private final String channel;

    PollScenario(Bench bench) {
        this.bench = bench;
        this.channel = bench.freshChannel("poll");
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int clients = f.integer("clients", 50);
        Duration duration = f.duration("duration", Duration.ofSeconds(10));
        try (Publisher pub = Publisher.open(bench.loops(), bench.target(), channel, 1)) {
            pub.loop().submit(pub::publishOne).get(5, TimeUnit.SECONDS);
            Bench.await(() -> pub.published() == 1, Duration.ofSeconds(5));
        }
        String uri = "/poll?channel=" + Transport.enc(channel) + "&since=0";
        List<Row> rows = new ArrayList<>();
        rows.add(measure("keep-alive", uri, clients, duration, true));
        rows.add(measure("new connection per request", uri, clients, duration, false));
        List<String> notes = new ArrayList<>();
        notes.add("poll: " + clients + " connections, closed loop, GET " + uri + "; latency is request → response.");
        if (f.bool("wrk", true)) {
            Row wrk = wrk(uri, clients, duration);
            if (wrk != null) {
                rows.add(wrk);
            } else {
                notes.add("wrk not found on PATH: no cross-check row.");
            }
        }
        return bench.result(rows, notes);
    }

    private Row measure(String label, String uri, int clients, Duration duration, boolean keepAlive) throws Exception {
        bench.phase(label);
        List<Client> all = new ArrayList<>();
        Window w = Window.open(bench.stats(), bench.server());
        for (int i = 0; i < clients; i++) {
            Client c = new Client(uri, keepAlive);
            all.add(c);
            c.open();
        }
        Bench.hold(duration);
        all.forEach(Client::stop);
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("connections", clients);
        Row row = w.close(label, w.ops(), "req/s", x);
        all.forEach(Client::close);
        return row;
    }

    /** One closed-loop polling client; with {@code keepAlive=false} it opens a connection per request. */
    private final class Client implements HttpConn.Listener {
        private final String uri;
        private final boolean keepAlive;
        private volatile HttpConn conn;
        private long sentAt;
        /** Per client, so that the close of one window's clients is never counted in the next window. */
        private volatile boolean running = true;
        private boolean answered;

        Client(String uri, boolean keepAlive) {
            this.uri = uri;
            this.keepAlive = keepAlive;
        }

        void open() {
            answered = false;
            HttpConn.connect(bench.loops(), bench.target(), this, c -> {
                conn = c;
                send();
            }, e -> {
                bench.stats().errors.increment();
                if (running) {
                    open();
                }
            });
        }

        private void send() {
            sentAt = System.nanoTime();
            conn.get(uri, keepAlive);
        }

        @Override
        public void response(int status, String body) {
            if (status == 200 && body.contains("\"offset\":1")) {
                bench.stats().ops.increment();
                bench.stats().delivered(sentAt);
            } else {
                bench.stats().errors.increment();
            }
            answered = true;
            if (running && keepAlive) {
                send();
            }
        }

        @Override
        public void closed(Throwable cause) {
            if (!running) {
                return;
            }
            if (keepAlive || !answered) {
                bench.stats().errors.increment();
            }
            if (!keepAlive || running) {
                open();
            }
        }

        void stop() {
            running = false;
        }

        void close() {
            running = false;
            HttpConn c = conn;
            if (c != null) {
                c.close();
            }
        }
    }

    /** Runs {@code wrk} against the same URL; null when wrk is not installed. */
    private Row wrk(String uri, int clients, Duration duration) throws IOException, InterruptedException {
        String url = "http://" + bench.target().getHostString() + ":" + bench.target().getPort() + uri;
        List<String> cmd = List.of("wrk", "-t2", "-c" + clients, "-d" + Math.max(1, duration.toSeconds()) + "s", "--latency", url);
        bench.phase("wrk");
        Window w = Window.open(bench.stats(), bench.server());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS);
        Matcher rps = WRK_RPS.matcher(out);
        double reqs = rps.find() ? Double.parseDouble(rps.group(1)) : Double.NaN;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher m = WRK_PCT.matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000.0;
                default -> 1.0;
            };
            if (m.group(1).equals("50")) {
                p50 = v;
            } else {
                p99 = v;
            }
        }
        Row r = w.close("wrk keep-alive", 0, "req/s", Map.of("command", String.join(" ", cmd)));
        return new Row(r.label(), reqs, "req/s", p50, p99, Double.NaN, Double.NaN, errorsOf(out), r.serverCpuPct(),
                r.serverRssMiB(), r.extra());
    }

    private static long errorsOf(String wrkOut) {
        Matcher m = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(wrkOut);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
