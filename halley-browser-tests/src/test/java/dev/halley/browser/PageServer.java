package dev.halley.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A second, tiny loopback web server on its own port (so another origin than the Halley server)
 * for cross-origin tests. Serves the test pages at {@code /pages/…}, the module's npm packages
 * at {@code /node_modules/…} (client libraries to load into a page), and what a test puts with
 * {@link #put}. Start it before the Halley server when that server's configuration needs this
 * origin: declare its field first.
 */
public final class PageServer implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, Page> extra = new ConcurrentHashMap<>();
    private final Path nodeModules = Chromium.moduleDir().resolve("node_modules").normalize();
    private HttpServer server;
    private ExecutorService executor;

    private record Page(String contentType, byte[] body) {
    }

    /** Starts at once, so an origin is known while other extensions are built. */
    public PageServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "page-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Started in the constructor.
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stop(0);
        executor.shutdownNow();
    }

    /** {@code http://127.0.0.1:<port>}: the origin of this server's pages. */
    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI uri(String path) {
        return URI.create(origin() + path);
    }

    /** Serves {@code body} at {@code path} from now on. */
    public void put(String path, String contentType, String body) {
        extra.put(path, new Page(contentType, body.getBytes(StandardCharsets.UTF_8)));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Optional<Page> page = find(ex.getRequestURI().getPath());
            if (page.isEmpty()) {
                reply(ex, 404, new Page("text/plain", "not found\n".getBytes(StandardCharsets.UTF_8)));
            } else {
                reply(ex, 200, page.get());
            }
        }
    }

    private Optional<Page> find(String path) throws IOException {
        if (extra.containsKey(path)) {
            return Optional.of(extra.get(path));
        }
        if (path.startsWith("/pages/")) {
            String name = path.substring("/pages/".length());
            return TestPages.read(name).map(b -> new Page(TestPages.contentType(name), b));
        }
        if (path.startsWith("/node_modules/")) {
            Path file = nodeModules.resolve(path.substring("/node_modules/".length())).normalize();
            if (file.startsWith(nodeModules) && Files.isRegularFile(file)) {
                return Optional.of(new Page(TestPages.contentType(file.toString()), Files.readAllBytes(file)));
            }
        }
        return Optional.empty();
    }

    private static void reply(HttpExchange ex, int status, Page page) throws IOException {
        ex.getResponseHeaders().set("Content-Type", page.contentType());
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, page.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(page.body());
        }
    }

    @Override
    public String toString() {
        return "PageServer[" + origin() + ", " + extra.size() + " extra pages]";
    }
}
