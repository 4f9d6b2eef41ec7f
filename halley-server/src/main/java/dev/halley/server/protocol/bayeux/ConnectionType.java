package dev.halley.server.protocol.bayeux;

import java.util.ArrayList;
import java.util.List;

/** The Bayeux transports Halley serves, by their names in {@code supportedConnectionTypes} and {@code connectionType}. */
enum ConnectionType {
    /** Bayeux over one WebSocket connection: JSON arrays in text frames both ways. */
    WEBSOCKET("websocket"),
    /** {@code POST /cometd[/…]} with a JSON array; the answer is a JSON array. */
    LONG_POLLING("long-polling"),
    /** {@code GET /cometd[/…]?jsonp=NAME&message=[…]}; the answer is a call {@code NAME([…])}. */
    CALLBACK_POLLING("callback-polling");

    private final String wireName;

    ConnectionType(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

    /** The type named {@code name}, or null when Halley does not serve it. */
    static ConnectionType byName(String name) {
        for (ConnectionType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The types Halley serves among {@code names}, in Halley's order of preference. */
    static List<ConnectionType> common(List<String> names) {
        List<ConnectionType> out = new ArrayList<>();
        for (ConnectionType t : values()) {
            if (names.contains(t.wireName)) {
                out.add(t);
            }
        }
        return out;
    }
}
