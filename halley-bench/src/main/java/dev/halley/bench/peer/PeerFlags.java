package dev.halley.bench.peer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags shared by the peers: {@code --host}, {@code --port} and peer-specific
 * numeric options, as {@code --name value} or {@code --name=value}.
 *
 * @param host    address to bind; the bench's generator reaches it from several {@code 127.0.0.x}
 * @param port    port to bind; 0 picks a free one (the ready line prints it)
 * @param options the other flags by name, without the dashes
 */
public record PeerFlags(String host, int port, Map<String, String> options) {

    /** Default port when none is given: the bench starts peers next to Halley's 18080. */
    public static final int DEFAULT_PORT = 18081;

    public PeerFlags {
        options = Map.copyOf(options);
    }

    /** Flags for an in-process peer on a free loopback port (tests). */
    public static PeerFlags ephemeral() {
        return new PeerFlags("127.0.0.1", 0, Map.of());
    }

    /**
     * Parses {@code args}; {@code allowed} names the peer-specific options besides host and port.
     *
     * @throws IllegalArgumentException on an unknown flag or a missing value
     */
    public static PeerFlags parse(String[] args, Set<String> allowed) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (!name.equals("host") && !name.equals("port") && !allowed.contains(name)) {
                throw new IllegalArgumentException("Unknown flag --" + name + "; known: --host, --port"
                        + (allowed.isEmpty() ? "" : ", --" + String.join(", --", allowed)));
            }
            if (eq >= 0) {
                values.put(name, arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("Flag --" + name + " needs a value");
            }
        }
        String host = values.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(values.getOrDefault("port", String.valueOf(DEFAULT_PORT)));
        values.remove("host");
        values.remove("port");
        return new PeerFlags(host, port, values);
    }

    /** The integer option {@code name}, or {@code fallback} when it was not given. */
    public int intOption(String name, int fallback) {
        String value = options.get(name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    /** A copy with peer-specific option {@code name} set (tests). */
    public PeerFlags with(String name, String value) {
        Map<String, String> copy = new HashMap<>(options);
        copy.put(name, value);
        return new PeerFlags(host, port, copy);
    }
}
