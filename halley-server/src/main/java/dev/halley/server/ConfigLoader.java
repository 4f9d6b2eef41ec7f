package dev.halley.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.core.ChannelPattern;
import dev.halley.core.HalleyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link HalleyConfig} from, lowest precedence first: defaults, the JSON file named by
 * {@code --config} / {@code HALLEY_CONFIG}, environment variables, command-line flags.
 * Fails with {@link IllegalArgumentException} naming the bad key.
 */
public final class ConfigLoader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KiB|MiB|GiB|k|K|KB|m|M|MB)?");

    private ConfigLoader() {
    }

    /** Flags ({@code --key value} or {@code --key=value}; boolean flags may stand alone) and environment. */
    public static HalleyConfig load(String[] args, Map<String, String> env) {
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        for (ConfigKey k : ConfigKey.values()) {
            values.put(k, k.defaultValue());
        }
        Map<ConfigKey, String> fromFlags = parseFlags(args);
        String file = fromFlags.getOrDefault(ConfigKey.CONFIG, env.getOrDefault(ConfigKey.CONFIG.env(), ""));
        ChannelPolicy policy = ChannelPolicy.OPEN;
        if (!file.isEmpty()) {
            JsonNode root = readFile(file);
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("channels")) {
                    policy = parsePolicy(e.getValue());
                    continue;
                }
                ConfigKey k = ConfigKey.byKey(e.getKey());
                if (k == null) {
                    throw new IllegalArgumentException("unknown key '" + e.getKey() + "' in " + file);
                }
                JsonNode v = e.getValue();
                values.put(k, v.isArray() ? joinArray(v) : v.asText());
            }
        }
        for (ConfigKey k : ConfigKey.values()) {
            String v = env.get(k.env());
            if (v != null) {
                values.put(k, v);
            }
        }
        values.putAll(fromFlags);
        return build(values, policy);
    }

    static HalleyConfig with(HalleyConfig base, ConfigKey key, String value) {
        Map<ConfigKey, String> values = toValues(base);
        values.put(key, value);
        return build(values, base.policy());
    }

    private static Map<ConfigKey, String> parseFlags(String[] args) {
        Map<ConfigKey, String> out = new EnumMap<>(ConfigKey.class);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (see --help)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            ConfigKey k = ConfigKey.byKey(name);
            if (k == null) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            if (value == null) {
                boolean isBoolean = k.defaultValue().equals("false") || k.defaultValue().equals("true");
                if (isBoolean && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
            }
            out.put(k, value);
        }
        return out;
    }

    private static JsonNode readFile(String file) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(Path.of(file)));
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("config file " + file + " must hold a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String joinArray(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(n -> parts.add(n.asText()));
        return String.join(",", parts);
    }

    private static ChannelPolicy parsePolicy(JsonNode node) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("'channels' must be a list of {pattern, subscribe, publish}");
        }
        List<ChannelPolicy.Rule> rules = new ArrayList<>();
        for (JsonNode r : node) {
            String pattern = r.path("pattern").asText("");
            try {
                rules.add(new ChannelPolicy.Rule(ChannelPattern.parse(pattern),
                        r.path("subscribe").asBoolean(true), r.path("publish").asBoolean(true)));
            } catch (HalleyException e) {
                throw new IllegalArgumentException("bad channel pattern '" + pattern + "' in 'channels': " + e.getMessage());
            }
        }
        return new ChannelPolicy(rules);
    }

    private static HalleyConfig build(Map<ConfigKey, String> v, ChannelPolicy policy) {
        return new HalleyConfig(
                v.get(ConfigKey.HOST),
                integer(v, ConfigKey.PORT),
                v.get(ConfigKey.BROKER).trim(),
                v.get(ConfigKey.BROKER_PREFIX).trim(),
                bool(v, ConfigKey.SOCKJS_TEST_SERVICES),
                v.get(ConfigKey.API_KEY),
                Arrays.stream(v.get(ConfigKey.CORS_ORIGINS).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                integer(v, ConfigKey.HISTORY_SIZE),
                duration(v, ConfigKey.HISTORY_TTL),
                duration(v, ConfigKey.LONGPOLL_TIMEOUT),
                duration(v, ConfigKey.LONGPOLL_MAX_TIMEOUT),
                duration(v, ConfigKey.HEARTBEAT),
                size(v, ConfigKey.STREAM_BUDGET),
                size(v, ConfigKey.MAX_PUBLISH_BODY),
                size(v, ConfigKey.MAX_CLIENT_BODY),
                size(v, ConfigKey.MAX_WS_MESSAGE),
                size(v, ConfigKey.MAX_INITIAL_LINE),
                size(v, ConfigKey.MAX_HEADER_SIZE),
                integer(v, ConfigKey.MAX_JSON_DEPTH),
                integer(v, ConfigKey.MAX_SUBSCRIPTIONS),
                size(v, ConfigKey.OUTBOUND_MAX_BYTES),
                integer(v, ConfigKey.OUTBOUND_MAX_MESSAGES),
                duration(v, ConfigKey.UNWRITABLE_TIMEOUT),
                duration(v, ConfigKey.HEADER_TIMEOUT),
                duration(v, ConfigKey.BODY_TIMEOUT),
                duration(v, ConfigKey.IDLE_TIMEOUT),
                integer(v, ConfigKey.PUBLISH_RATE),
                v.get(ConfigKey.TRANSPORT).trim().toLowerCase(Locale.ROOT),
                integer(v, ConfigKey.IO_THREADS),
                duration(v, ConfigKey.SHUTDOWN_GRACE),
                policy,
                integer(v, ConfigKey.BAYEUX_MAX_SESSIONS),
                duration(v, ConfigKey.BAYEUX_MAX_INTERVAL),
                new SockJsConfig(v.get(ConfigKey.SOCKJS_CLIENT_URL).trim(), duration(v, ConfigKey.SOCKJS_DISCONNECT_DELAY),
                        integer(v, ConfigKey.SOCKJS_MAX_SESSIONS), bool(v, ConfigKey.SOCKJS_JSESSIONID),
                        bool(v, ConfigKey.SOCKJS_WEBSOCKET)));
    }

    private static Map<ConfigKey, String> toValues(HalleyConfig c) {
        Map<ConfigKey, String> v = new EnumMap<>(ConfigKey.class);
        v.put(ConfigKey.HOST, c.host());
        v.put(ConfigKey.PORT, Integer.toString(c.port()));
        v.put(ConfigKey.BROKER, c.broker());
        v.put(ConfigKey.BROKER_PREFIX, c.brokerPrefix());
        v.put(ConfigKey.SOCKJS_TEST_SERVICES, Boolean.toString(c.sockjsTestServices()));
        v.put(ConfigKey.API_KEY, c.apiKey());
        v.put(ConfigKey.CORS_ORIGINS, String.join(",", c.corsOrigins()));
        v.put(ConfigKey.HISTORY_SIZE, Integer.toString(c.historySize()));
        v.put(ConfigKey.HISTORY_TTL, c.historyTtl().toMillis() + "ms");
        v.put(ConfigKey.LONGPOLL_TIMEOUT, c.longPollTimeout().toMillis() + "ms");
        v.put(ConfigKey.LONGPOLL_MAX_TIMEOUT, c.longPollMaxTimeout().toMillis() + "ms");
        v.put(ConfigKey.HEARTBEAT, c.heartbeat().toMillis() + "ms");
        v.put(ConfigKey.STREAM_BUDGET, Integer.toString(c.streamBudget()));
        v.put(ConfigKey.MAX_PUBLISH_BODY, Integer.toString(c.maxPublishBody()));
        v.put(ConfigKey.MAX_CLIENT_BODY, Integer.toString(c.maxClientBody()));
        v.put(ConfigKey.MAX_WS_MESSAGE, Integer.toString(c.maxWsMessage()));
        v.put(ConfigKey.MAX_INITIAL_LINE, Integer.toString(c.maxInitialLine()));
        v.put(ConfigKey.MAX_HEADER_SIZE, Integer.toString(c.maxHeaderSize()));
        v.put(ConfigKey.MAX_JSON_DEPTH, Integer.toString(c.maxJsonDepth()));
        v.put(ConfigKey.MAX_SUBSCRIPTIONS, Integer.toString(c.maxSubscriptions()));
        v.put(ConfigKey.OUTBOUND_MAX_BYTES, Integer.toString(c.outboundMaxBytes()));
        v.put(ConfigKey.OUTBOUND_MAX_MESSAGES, Integer.toString(c.outboundMaxMessages()));
        v.put(ConfigKey.UNWRITABLE_TIMEOUT, c.unwritableTimeout().toMillis() + "ms");
        v.put(ConfigKey.HEADER_TIMEOUT, c.headerTimeout().toMillis() + "ms");
        v.put(ConfigKey.BODY_TIMEOUT, c.bodyTimeout().toMillis() + "ms");
        v.put(ConfigKey.IDLE_TIMEOUT, c.idleTimeout().toMillis() + "ms");
        v.put(ConfigKey.PUBLISH_RATE, Integer.toString(c.publishRate()));
        v.put(ConfigKey.TRANSPORT, c.transport());
        v.put(ConfigKey.IO_THREADS, Integer.toString(c.ioThreads()));
        v.put(ConfigKey.SHUTDOWN_GRACE, c.shutdownGrace().toMillis() + "ms");
        v.put(ConfigKey.CONFIG, "");
        v.put(ConfigKey.BAYEUX_MAX_SESSIONS, Integer.toString(c.bayeuxMaxSessions()));
        v.put(ConfigKey.BAYEUX_MAX_INTERVAL, c.bayeuxMaxInterval().toMillis() + "ms");
        v.put(ConfigKey.SOCKJS_CLIENT_URL, c.sockjs().clientUrl());
        v.put(ConfigKey.SOCKJS_DISCONNECT_DELAY, c.sockjs().disconnectDelay().toMillis() + "ms");
        v.put(ConfigKey.SOCKJS_MAX_SESSIONS, Integer.toString(c.sockjs().maxSessions()));
        v.put(ConfigKey.SOCKJS_JSESSIONID, Boolean.toString(c.sockjs().jsessionid()));
        v.put(ConfigKey.SOCKJS_WEBSOCKET, Boolean.toString(c.sockjs().websocket()));
        return v;
    }

    private static int integer(Map<ConfigKey, String> v, ConfigKey k) {
        try {
            return Integer.parseInt(v.get(k).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k.key() + ": '" + v.get(k) + "' is not a whole number");
        }
    }

    private static boolean bool(Map<ConfigKey, String> v, ConfigKey k) {
        String s = v.get(k).trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("1") || s.equals("yes")) {
            return true;
        }
        if (s.equals("false") || s.equals("0") || s.equals("no") || s.isEmpty()) {
            return false;
        }
        throw new IllegalArgumentException(k.key() + ": '" + v.get(k) + "' is not true or false");
    }

    /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    static Duration duration(Map<ConfigKey, String> v, ConfigKey k) {
        Matcher m = DURATION.matcher(v.get(k).trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(k.key() + ": '" + v.get(k) + "' is not a duration like 250ms, 30s, 5m, 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** {@code 4096}, {@code 64KiB}, {@code 1MiB}. */
    static int size(Map<ConfigKey, String> v, ConfigKey k) {
        Matcher m = SIZE.matcher(v.get(k).trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(k.key() + ": '" + v.get(k) + "' is not a size like 4096, 64KiB, 1MiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long bytes = switch (unit) {
            case "KiB", "k", "K", "KB" -> n << 10;
            case "MiB", "m", "M", "MB" -> n << 20;
            case "GiB" -> n << 30;
            default -> n;
        };
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(k.key() + ": '" + v.get(k) + "' is too large");
        }
        return (int) bytes;
    }
}
