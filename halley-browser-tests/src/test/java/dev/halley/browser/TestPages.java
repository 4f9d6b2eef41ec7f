package dev.halley.browser;

import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The test pages in {@code src/test/resources/pages/}, served by the Halley server under test
 * at {@code /test/…} (same origin as its doors) and by a {@link PageServer} at {@code /pages/…}
 * (another origin).
 */
public final class TestPages {
    /** Pass to {@code new HalleyServerExtension(tweak, TestPages.ROUTES)} to serve {@code /test/**}. */
    public static final Map<String, Function<ServerContext, Route>> ROUTES = Map.of("/test/**", context -> TestPages::serve);

    private TestPages() {
    }

    /** The page at {@code name} (e.g. {@code blank.html}, {@code sub/x.js}) if there is one. */
    static Optional<byte[]> read(String name) {
        if (name.isEmpty() || name.contains("..")) {
            return Optional.empty();
        }
        try (InputStream in = TestPages.class.getResourceAsStream("/pages/" + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String contentType(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=UTF-8";
            case "js", "mjs" -> "application/javascript; charset=UTF-8";
            case "css" -> "text/css; charset=UTF-8";
            case "json" -> "application/json";
            case "png" -> "image/png";
            default -> "application/octet-stream";
        };
    }

    private static void serve(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET);
        String name = ex.path().substring("/test".length()).replaceFirst("^/", "");
        byte[] page = read(name).orElseThrow(() -> new HalleyException(ReplyError.NOT_FOUND, "No test page " + name));
        ex.send(HttpResponseStatus.OK, contentType(name), Unpooled.wrappedBuffer(page), null);
    }
}
