package dev.halley.server.admin;

import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.UnaryOperator;

/**
 * A file from the classpath ({@code /static/…}), read once at start, served with a strong ETag
 * and {@code Cache-Control: no-cache} so browsers revalidate cheaply ({@code 304}).
 */
public final class StaticRoute implements Route {
    private final byte[] content;
    private final String contentType;
    private final String etag;

    public StaticRoute(String resource, String contentType) {
        this(resource, contentType, UnaryOperator.identity());
    }

    /** The resource as UTF-8 text, rewritten once by {@code edit} (e.g. configuration filled in). */
    public StaticRoute(String resource, String contentType, UnaryOperator<String> edit) {
        try (InputStream in = StaticRoute.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            this.content = edit.apply(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.contentType = contentType;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
            this.etag = "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.GET, HttpMethod.HEAD);
        String inm = ex.header(HttpHeaderNames.IF_NONE_MATCH);
        if (etag.equals(inm)) {
            ex.send(HttpResponseStatus.NOT_MODIFIED, null, Unpooled.EMPTY_BUFFER, this::cacheHeaders);
            return;
        }
        ex.send(HttpResponseStatus.OK, contentType, Unpooled.wrappedBuffer(content), this::cacheHeaders);
    }

    private void cacheHeaders(io.netty.handler.codec.http.HttpHeaders h) {
        h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        h.remove(HttpHeaderNames.PRAGMA);
        h.remove(HttpHeaderNames.EXPIRES);
        h.set(HttpHeaderNames.ETAG, etag);
    }
}
