package dev.halley.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code chat} (and {@code chat-bayeux}, Bayeux to CometD or to Halley's door): CometD's benchmark shape. N
 * clients, {@code --rooms} rooms (fresh channels), each client in {@code --rooms-per-client} of
 * them, spread evenly and seeded ({@link RoomPlan}). The publisher sends messages whose data is
 * padded to {@code --size} bytes (50) to the rooms in turn, at stepped rates until p99 passes the
 * limit ({@link SteppedRates}); each message reaches every member of its room.
 *
 * <p>Halley: {@code --transport ws} (one connection per client, one subscribe per room, from
 * offset 0), {@code longpoll} (one {@code /longpoll} naming every room, re-polled at once with the
 * returned cursor: {@link LongPoller}), or {@code sse}/{@code stream}. {@code chat-bayeux}: the
 * same clients in Bayeux ({@link BayeuxClient}) over WebSocket or long-polling, to the server
 * {@code --bayeux-server} names ({@link BayeuxTarget}: CometD, publishing through its
 * {@code POST /publish}, or Halley's {@code /cometd}, publishing through {@code /api/publish}).
 *
 * <p>At the end every client must have seen every message of each of its rooms exactly once
 * (lost, duplicates and reordered counted in the totals row). Memory per connection: the server's
 * heap after a full GC before and after the clients connect, the difference per client.
 */
final class ChatScenario {
    /** Default {@code --rates}: CometD's benchmark paces 1,000 messages/s. */
    static final String RATES = "100,200,500,1000,2000,5000";

    private final Bench bench;
    private final boolean bayeux;
    private List<String> rooms;

    ChatScenario(Bench bench, boolean bayeux) {
        this.bench = bench;
        this.bayeux = bayeux;
    }

    /** The run's clients, whatever they speak. */
    private interface Members {
        /** Opens client {@code i} (0 … n-1) on the rooms {@code roomsOf.apply(i)}; returns how many subscribed. */
        long open(int n, IntFunction<List<String>> roomsOf) throws Exception;

        List<Followed> followed();

        Tally tally();

        void close();
    }

    Result run() throws Exception {
        Flags f = bench.flags();
        int clients = f.integer("clients", 1_000);
        int perClient = f.integer("rooms-per-client", 10);
        String transport = f.string("transport", "ws");
        RoomPlan plan = RoomPlan.spread(clients, f.integer("rooms", 100), perClient, f.integer("seed", 1));
        rooms = roomNames(plan.members().length);
        ServerUnderTest server = bench.server();
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Members members = members(transport);
        try {
            bench.phase("baseline");
            ConnMemory baseline = ConnMemory.baseline(server);
            bench.phase("connect");
            long up = members.open(clients, i -> plan.channelsOf(i, rooms));
            if (up < clients) {
                notes.add("only " + up + " of " + clients + " clients subscribed within the time limit");
            }
            bench.phase("connected");
            Map<String, Object> memory = baseline.connected(up);
            try (Publisher pub = Publisher.open(bench.loops(), bench.target(), rooms, f.integer("publishers", 16),
                    bayeux ? BayeuxTarget.of(f).publishPath() : "/api/publish", bayeux, f.integer("size", 50))) {
                warmUp(pub, f, members);
                String label = (bayeux ? "bayeux-" : "") + transport;
                SteppedRates.run(bench, pub, label, RATES, members.tally().dropped::sum, rows, notes);
                rows.add(totals(members, pub, up, memory, notes));
            }
        } finally {
            members.close();
        }
        notes.add(String.format("chat: %d clients in %d rooms, %d rooms each (%d to %d members a room), %d-byte data,"
                + " rooms published to in turn; latency is publish → receive; over %s%s.", clients, rooms.size(), perClient,
                min(plan.members()), max(plan.members()), f.integer("size", 50),
                bayeux ? "Bayeux to " + BayeuxTarget.of(f).serverName() + ", " : "Halley's native ", transport));
        return bench.result(rows, notes);
    }

    private List<String> roomNames(int n) {
        String prefix = bench.freshChannel("chat");
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(prefix + "/" + i);
        }
        return names;
    }

    /** Paced at the first step's rate for {@code --warmup} (5 s), not measured; then (bounded) every client caught up. */
    private void warmUp(Publisher pub, Flags f, Members members) throws InterruptedException {
        bench.phase("warmup");
        pub.pace(Double.parseDouble(f.string("rates", RATES).split(",")[0]));
        Bench.hold(f.duration("warmup", Duration.ofSeconds(5)));
        pub.finish();
        caughtUp(members.followed(), publishedPerRoom(pub), Duration.ofSeconds(10));
    }

    private Map<String, Long> publishedPerRoom(Publisher pub) {
        Map<String, Long> published = new HashMap<>();
        rooms.forEach(r -> published.put(r, pub.published(r)));
        return published;
    }

    /** Waits (bounded) until every client has seen every message published to its rooms; false if not. */
    private static boolean caughtUp(List<Followed> all, Map<String, Long> published, Duration within) throws InterruptedException {
        return Bench.await(() -> all.stream().allMatch(m -> m.unseen(published::get) == 0), within);
    }

    /** Waits (bounded) until every client has every message of its rooms, then the counts of the whole run. */
    private Row totals(Members members, Publisher pub, long up, Map<String, Object> memory,
            List<String> notes) throws InterruptedException {
        bench.phase("drain");
        Map<String, Long> published = publishedPerRoom(pub);
        List<Followed> all = members.followed();
        boolean drained = caughtUp(all, published, Duration.ofSeconds(30));
        long lost = all.stream().mapToLong(m -> m.unseen(published::get)).sum();
        long delivered = all.stream().mapToLong(Followed::distinct).sum();
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("clients", up);
        x.put("published", pub.published());
        x.put("publishErrors", pub.errors.sum());
        x.put("expected", delivered + lost);
        x.put("delivered", delivered);
        x.put("lost", lost);
        x.put("duplicates", members.tally().duplicates.sum());
        x.put("reordered", members.tally().reordered.sum());
        x.put("dropped", members.tally().dropped.sum());
        x.put("incompleteClients", all.stream().filter(m -> m.unseen(published::get) > 0).count());
        x.putAll(memory);
        if (!drained) {
            notes.add("drain: not every client had every message of its rooms within 30 s (" + lost + " missing)");
        }
        return new Row("totals", Double.NaN, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                bench.stats().errors.sum(), Double.NaN, Double.NaN, x);
    }

    private Members members(String transport) {
        if (bayeux) {
            return new BayeuxMembers(BayeuxClients.wire(transport));
        }
        return transport.equals("longpoll") ? new LongPollMembers() : new PushMembers(Transport.of(transport));
    }

    /** Halley over WebSocket (each room from offset 0) or an HTTP stream (live from the response head). */
    private final class PushMembers implements Members {
        private final Transport transport;
        private Subscribers subs;

        PushMembers(Transport transport) {
            this.transport = transport;
        }

        @Override
        public long open(int n, IntFunction<List<String>> roomsOf) throws InterruptedException {
            subs = new Subscribers(bench, transport, roomsOf);
            return subs.open(n, transport == Transport.WS ? 0 : -1, Duration.ofSeconds(30));
        }

        @Override
        public List<Followed> followed() {
            return subs.followed();
        }

        @Override
        public Tally tally() {
            return subs.tally;
        }


        @Override
        public void close() {
            if (subs != null) {
                subs.close();
            }
        }
    }

    /** Halley over long-polling: one {@link LongPoller} per client naming all its rooms. */
    private final class LongPollMembers implements Members {
        private final Tally tally = new Tally(bench.stats());
        private final List<LongPoller> pollers = new ArrayList<>();

        @Override
        public long open(int n, IntFunction<List<String>> roomsOf) throws Exception {
            int[] next = {0};
            String query = "&timeout=" + bench.flags().integer("timeout", 30);
            HttpConn.connectInBatches(bench, n, () -> new LongPoller(bench, tally, roomsOf.apply(next[0]++), List.of(), query),
                    LongPoller::attach, LongPoller::start,
                    started -> Bench.await(() -> tally.established.sum() >= started, Duration.ofSeconds(30)), pollers);
            return tally.established.sum();
        }

        @Override
        public List<Followed> followed() {
            return pollers.stream().map(LongPoller::followed).toList();
        }

        @Override
        public Tally tally() {
            return tally;
        }


        @Override
        public void close() {
            pollers.forEach(LongPoller::close);
        }
    }

    /** Bayeux (Halley's door or CometD): one {@link BayeuxClient} per client subscribed to all its rooms in one batch. */
    private final class BayeuxMembers implements Members {
        private final BayeuxClients clients;

        BayeuxMembers(BayeuxClient.Wire wire) {
            this.clients = new BayeuxClients(bench, wire);
        }

        @Override
        public long open(int n, IntFunction<List<String>> roomsOf) throws Exception {
            return clients.open(n, roomsOf);
        }

        @Override
        public List<Followed> followed() {
            return clients.followed();
        }

        @Override
        public Tally tally() {
            return clients.tally();
        }


        @Override
        public void close() {
            clients.close();
        }
    }

    private static int min(int[] a) {
        return java.util.Arrays.stream(a).min().orElse(0);
    }

    private static int max(int[] a) {
        return java.util.Arrays.stream(a).max().orElse(0);
    }
}
