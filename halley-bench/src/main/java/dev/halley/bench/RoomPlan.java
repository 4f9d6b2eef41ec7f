package dev.halley.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Who is in which room: {@code clients} clients, each in {@code perClient} different rooms of
 * {@code rooms}, spread evenly (room sizes differ by at most one) and deterministically: each
 * client in turn takes the least-filled rooms, ties broken by a shuffle seeded with {@code seed}.
 *
 * @param roomsOf for each client, its room numbers (0 … rooms-1)
 * @param members for each room, how many clients are in it
 */
record RoomPlan(int[][] roomsOf, int[] members) {

    static RoomPlan spread(int clients, int rooms, int perClient, long seed) {
        if (perClient > rooms || perClient < 1) {
            throw new IllegalArgumentException("--rooms-per-client must be 1 … --rooms (" + rooms + "), not " + perClient);
        }
        Random random = new Random(seed);
        int[] members = new int[rooms];
        int[][] roomsOf = new int[clients][];
        List<Integer> order = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            order.add(r);
        }
        for (int c = 0; c < clients; c++) {
            Collections.shuffle(order, random);
            // Stable sort: among equally filled rooms the shuffled order stands.
            order.sort(Comparator.comparingInt(r -> members[r]));
            roomsOf[c] = new int[perClient];
            for (int i = 0; i < perClient; i++) {
                int room = order.get(i);
                roomsOf[c][i] = room;
                members[room]++;
            }
        }
        return new RoomPlan(roomsOf, members);
    }

    /** Client {@code client}'s rooms as channel names ({@code names} indexed by room number). */
    List<String> channelsOf(int client, List<String> names) {
        List<String> list = new ArrayList<>(roomsOf[client].length);
        for (int r : roomsOf[client]) {
            list.add(names.get(r));
        }
        return list;
    }
}
