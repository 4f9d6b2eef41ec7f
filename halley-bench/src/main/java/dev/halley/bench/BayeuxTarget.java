package dev.halley.bench;

import java.util.Locale;

/**
 * The server a Bayeux scenario ({@code longpoll-bayeux}, {@code chat-bayeux}, {@code fanout-bayeux})
 * drives, chosen with {@code --bayeux-server}: both serve Bayeux at {@code /cometd} and differ in
 * how the bench injects messages and how it starts them.
 */
enum BayeuxTarget {
    /** Halley's Bayeux door; messages injected through its back-end {@code POST /api/publish}. */
    HALLEY("/api/publish", "Halley"),
    /** The CometD 9 peer ({@code CometdPeer}); messages injected through its {@code POST /publish}. */
    COMETD("/publish", "CometD 9");

    /** The flag that chooses; CometD when absent (the Bayeux scenarios drove only CometD before Halley spoke Bayeux). */
    static final String FLAG = "bayeux-server";

    private final String publishPath;
    private final String serverName;

    BayeuxTarget(String publishPath, String serverName) {
        this.publishPath = publishPath;
        this.serverName = serverName;
    }

    static BayeuxTarget of(Flags flags) {
        String name = flags.string(FLAG, "cometd");
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --" + FLAG + " " + name + " (known: halley, cometd)");
        }
    }

    /** Where the publisher posts {@code {"channel":…,"data":…}} (a JSON array of them for a batch). */
    String publishPath() {
        return publishPath;
    }

    /** The server's name in notes and labels. */
    String serverName() {
        return serverName;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
