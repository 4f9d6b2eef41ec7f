package dev.halley.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client over a plain socket, for tests where bytes matter: it sends exactly the
 * request given and reads the status line, headers, fixed-length bodies and single chunks of
 * chunked bodies. Every read has a deadline (the socket timeout); a missed deadline fails with
 * {@link SocketTimeoutException}.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** What came back before the body. */
    public record Head(int status, String statusLine, Map<String, String> headers) {
        /** Header value by case-insensitive name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public RawHttp(int port, Duration readDeadline) throws IOException {
        this(port, readDeadline, 0);
    }

    /**
     * A client whose socket receive buffer is {@code receiveBuffer} bytes (0 = the system's), set
     * before connecting so the TCP window stays small: a client that does not read then makes the
     * server's socket unwritable quickly.
     */
    public RawHttp(int port, Duration readDeadline, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), (int) readDeadline.toMillis());
        socket.setSoTimeout((int) readDeadline.toMillis());
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public RawHttp(int port) throws IOException {
        this(port, Duration.ofSeconds(10));
    }

    public void setDeadline(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    /** Sends bytes as they are. */
    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawHttp send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code GET path} with Host and the given extra header lines (each without CRLF). */
    public RawHttp get(String path, String... headers) throws IOException {
        StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return send(sb.append("\r\n").toString());
    }

    /** Reads the status line and headers. */
    public Head readHead() throws IOException {
        String statusLine = readLine();
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine()).isEmpty()) {
            int c = line.indexOf(':');
            String name = line.substring(0, c).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(c + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        return new Head(status, statusLine, headers);
    }

    /** Reads exactly {@code n} body bytes. */
    public byte[] readBytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("connection closed after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Reads the body of a response with {@code Content-Length}. */
    public String readBody(Head head) throws IOException {
        return new String(readBytes(Integer.parseInt(head.header("content-length"))), StandardCharsets.UTF_8);
    }

    /** Reads one chunk of a chunked body; returns null for the terminating zero-length chunk. */
    public byte[] readChunk() throws IOException {
        String sizeLine = readLine();
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
        if (size == 0) {
            readLine(); // trailer end
            return null;
        }
        byte[] data = readBytes(size);
        if (!readLine().isEmpty()) {
            throw new IOException("chunk not followed by CRLF");
        }
        return data;
    }

    /** Reads chunks until their concatenation contains {@code marker}; returns all bytes read. */
    public String readChunksUntil(String marker) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().contains(marker)) {
            byte[] c = readChunk();
            if (c == null) {
                throw new IOException("stream ended before '" + marker + "': " + sb);
            }
            sb.append(new String(c, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** Whether the server closed the connection (reads EOF within the deadline). */
    public boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    /** Everything until the server closes the connection. */
    public byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] l = line.toByteArray();
                int len = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                return new String(l, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        throw new IOException("connection closed while reading a line: '" + line.toString(StandardCharsets.ISO_8859_1) + "'");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
