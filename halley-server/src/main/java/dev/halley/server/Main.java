package dev.halley.server;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar halley-server.jar [--flag value …]}: starts Halley on its configuration
 * (defaults: in-memory broker, port 8080, demo page at {@code /}). SIGTERM or Ctrl-C runs the
 * graceful shutdown.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.print(usage());
                return;
            }
        }
        HalleyConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("halley: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        HalleyServer server;
        try {
            server = HalleyServer.start(config);
        } catch (Exception e) {
            log.error("Halley failed to start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        log.info("Demo page: http://localhost:{}/  publish: curl -d '{\"channel\":\"/demo\",\"data\":1}' localhost:{}/api/publish",
                server.port(), server.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "halley-shutdown"));
        stopped.await();
    }

    /** The {@code --help} text, made from {@link ConfigKey}. */
    static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("Halley: a Comet server (long-polling, JSONP, streaming, SSE, WebSocket).\n\n")
                .append("Usage: java -jar halley-server.jar [--key value | --key=value]...\n\n")
                .append("Each flag also reads from an environment variable and from the --config JSON file;\n")
                .append("flags win over environment, environment over the file. Durations: 250ms, 30s, 5m, 1h;\n")
                .append("sizes: 4096, 64KiB, 1MiB.\n\n");
        for (ConfigKey k : ConfigKey.values()) {
            sb.append(String.format("  --%-22s %-26s default: %s%n", k.key(), "(" + k.env() + ")",
                    k.defaultValue().isEmpty() ? "(none)" : k.defaultValue()));
            sb.append("      ").append(k.description().replace("`", "")).append('\n');
        }
        sb.append("  --help                    this text\n");
        return sb.toString();
    }
}
