package dev.halley.server.protocol.sockjs;

import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * The HTTP side of the SockJS protocol suite's {@code utils_03.py}, over {@link RawHttp}: one
 * connection per request; a synchronous request reads the whole body (chunked, by length, to the
 * close, or none for 101/204/304), an asynchronous one reads a chunk at a time, as the suite's
 * {@code read()} does. Every read has a deadline.
 */
final class SockJsHttp {
    static final Duration DEADLINE = Duration.ofSeconds(5);

    private final HalleyServerExtension server;

    SockJsHttp(HalleyServerExtension server) {
        this.server = server;
    }

    /** {@code /sockjs/{service}} */
    static String base(String service) {
        return "/sockjs/" + service;
    }

    /** {@code /sockjs/{service}/000/{random uuid}}, a fresh session URL. */
    static String session(String service) {
        return base(service) + "/000/" + UUID.randomUUID();
    }

    /** A whole response. */
    record Response(int status, RawHttp.Head head, String body) {
        String header(String name) {
            return head.header(name);
        }
    }

    Response get(String path, String... headers) throws IOException {
        return request("GET", path, null, headers);
    }

    Response post(String path, String body, String... headers) throws IOException {
        return request("POST", path, body, headers);
    }

    Response options(String path, String... headers) throws IOException {
        return request("OPTIONS", path, null, headers);
    }

    Response request(String method, String path, String body, String... headers) throws IOException {
        try (RawHttp c = new RawHttp(server.port(), DEADLINE)) {
            send(c, method, path, "1.1", body, headers);
            RawHttp.Head head = c.readHead();
            return new Response(head.status(), head, readBody(c, head));
        }
    }

    /** A request whose body is read a chunk at a time; close it when done. */
    Stream stream(String method, String path, String... headers) throws IOException {
        RawHttp c = new RawHttp(server.port(), DEADLINE);
        try {
            send(c, method, path, "1.1", null, headers);
            return new Stream(c, c.readHead());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Sends a request as the suite's {@code RawHttpConnection} does: a POST always has a length. */
    static void send(RawHttp c, String method, String path, String version, String body, String... headers) throws IOException {
        byte[] b = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/").append(version)
                .append("\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        if (b != null || method.equals("POST")) {
            sb.append("Content-Length: ").append(b == null ? 0 : b.length).append("\r\n");
        }
        c.send(sb.append("\r\n").toString());
        if (b != null && b.length > 0) {
            c.send(b);
        }
    }

    private static String readBody(RawHttp c, RawHttp.Head head) throws IOException {
        String te = head.header("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).equals("chunked")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk;
            while ((chunk = c.readChunk()) != null) {
                out.writeBytes(chunk);
            }
            return out.toString(StandardCharsets.UTF_8);
        }
        if (head.header("content-length") != null) {
            return c.readBody(head);
        }
        String connection = head.header("connection");
        if (connection != null && connection.toLowerCase(Locale.ROOT).contains("close")) {
            return new String(c.readToEnd(), StandardCharsets.UTF_8);
        }
        if (head.status() == 101 || head.status() == 204 || head.status() == 304) {
            return "";
        }
        throw new IOException(head.status() + " " + head.headers() + ": no Transfer-Encoding: chunked, Content-Length nor Connection: close");
    }

    /** An open response read chunk by chunk; {@link #read()} is null once the stream has ended. */
    static final class Stream implements AutoCloseable {
        private final RawHttp c;
        private final RawHttp.Head head;

        Stream(RawHttp c, RawHttp.Head head) {
            this.c = c;
            this.head = head;
        }

        int status() {
            return head.status();
        }

        String header(String name) {
            return head.header(name);
        }

        /** The next chunk, or null at the terminating chunk. */
        String read() throws IOException {
            byte[] chunk = c.readChunk();
            return chunk == null ? null : new String(chunk, StandardCharsets.UTF_8);
        }

        /** Whether the server then closed the connection (or kept it for the next request). */
        boolean closedByServer(Duration within) throws IOException {
            c.setDeadline(within);
            return c.isClosedByServer();
        }

        @Override
        public void close() throws IOException {
            c.close();
        }
    }
}
