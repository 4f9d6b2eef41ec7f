package dev.halley.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Command-line flags ({@code --name value} or {@code --name=value}); every read names its default. */
public final class Flags {
    private final Map<String, String> values;

    private Flags(Map<String, String> values) {
        this.values = values;
    }

    public static Flags parse(List<String> args) {
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                v.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                v.put(name, args.get(++i));
            } else {
                v.put(name, "true");
            }
        }
        return new Flags(v);
    }

    public static Flags of(String... args) {
        return parse(List.of(args));
    }

    /** These flags with {@code name} set to {@code value} (a scenario run again with one flag changed). */
    public Flags with(String name, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.put(name, value);
        return new Flags(v);
    }

    public Map<String, String> asMap() {
        return Map.copyOf(values);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    public int integer(String name, int dflt) {
        String s = values.get(name);
        return s == null ? dflt : Integer.parseInt(s.replace("_", "").replace(",", ""));
    }

    public double decimal(String name, double dflt) {
        String s = values.get(name);
        return s == null ? dflt : Double.parseDouble(s);
    }

    public boolean bool(String name, boolean dflt) {
        String s = values.get(name);
        return s == null ? dflt : Boolean.parseBoolean(s);
    }

    public Duration duration(String name, Duration dflt) {
        String s = values.get(name);
        return s == null ? dflt : parseDuration(s);
    }

    /** {@code 250ms}, {@code 30s}, {@code 2m}, or bare seconds. */
    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(t));
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
