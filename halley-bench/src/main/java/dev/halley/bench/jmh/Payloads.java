package dev.halley.bench.jmh;

import dev.halley.core.Message;
import java.nio.charset.StandardCharsets;

/**
 * Realistic message data for the micro-benchmarks: a compact JSON chat line of 114 bytes (the
 * middle of the 50–200 bytes chat lines, ticks and presence updates have), mostly ASCII with a
 * little UTF-8, and no {@code <}, so script escaping takes its common path (nothing to escape).
 */
final class Payloads {
    static final String CHANNEL = "rooms/lobby-7";
    static final byte[] CHAT = ("{\"room\":\"lobby-7\",\"from\":\"Zoë\",\"text\":\"see you at 6 — bring the slides\","
            + "\"id\":\"m-9f3c2a71\",\"sent\":1735689600123}").getBytes(StandardCharsets.UTF_8);
    /** An epoch of 10 characters, as {@code Epochs.random()} makes them (fixed, so runs compare). */
    static final String EPOCH = "k3v9q2xwT7";

    private Payloads() {
    }

    /** A fresh message as the broker makes it: nothing encoded or cached yet. */
    static Message message(long offset) {
        return new Message(CHANNEL, EPOCH, offset, 1735689600123L + offset, CHAT);
    }
}
