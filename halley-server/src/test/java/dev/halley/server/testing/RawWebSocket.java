package dev.halley.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client over a plain socket, for tests where bytes and misbehaviour matter: it sends
 * exactly the frames it is told (masked, as a client must; any opcode, fragmentation or payload)
 * and reads the server's frames as they are. It never answers pings and never reads unless
 * asked, so it can play a dead or slow client. Every read has a deadline (the socket timeout).
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CONTINUATION = 0x0;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** One frame from the server. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, or -1 without one. */
        public int closeStatus() {
            return payload.length < 2 ? -1 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }

        public String closeReason() {
            return payload.length < 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /**
     * Connects and upgrades {@code /ws}; fails unless the answer is a valid 101.
     *
     * @param receiveBuffer the socket's receive buffer in bytes (small for a slow client), or 0 for the default
     */
    public static RawWebSocket connect(int port, Duration readDeadline, int receiveBuffer, String... headers) throws IOException {
        return connect(port, "/ws", readDeadline, receiveBuffer, headers);
    }

    /** Connects and upgrades {@code path}; fails unless the answer is a valid 101. */
    public static RawWebSocket connect(int port, String path, Duration readDeadline, int receiveBuffer, String... headers)
            throws IOException {
        RawWebSocket ws = new RawWebSocket(port, readDeadline, receiveBuffer);
        try {
            ws.handshake(path, headers);
            return ws;
        } catch (IOException | RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    public static RawWebSocket connect(int port) throws IOException {
        return connect(port, Duration.ofSeconds(10), 0);
    }

    private RawWebSocket(int port, Duration readDeadline, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout((int) readDeadline.toMillis());
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    private void handshake(String path, String... headers) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\nSec-WebSocket-Version: 13\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        out.write(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = readLine();
        Map<String, String> head = new LinkedHashMap<>();
        String line;
        while (!(line = readLine()).isEmpty()) {
            int c = line.indexOf(':');
            head.put(line.substring(0, c).trim().toLowerCase(Locale.ROOT), line.substring(c + 1).trim());
        }
        if (!status.startsWith("HTTP/1.1 101 ")) {
            throw new IOException("upgrade refused: " + status + " " + head);
        }
        if (!accept(key).equals(head.get("sec-websocket-accept"))) {
            throw new IOException("bad Sec-WebSocket-Accept: " + head);
        }
    }

    private static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends one masked frame. */
    public RawWebSocket sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >>> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        f.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        out.write(f.toByteArray());
        out.flush();
        return this;
    }

    public RawWebSocket sendText(String text) throws IOException {
        return sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a close frame with {@code status}. */
    public RawWebSocket sendClose(int status) throws IOException {
        return sendFrame(true, CLOSE, new byte[] {(byte) (status >>> 8), (byte) status});
    }

    /** Reads the next frame (server frames are never masked). */
    public Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) {
            throw new IOException("server frame is masked");
        }
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(len)];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /** Reads exactly {@code n} raw bytes. */
    public byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Reads until the server closes the connection (EOF or reset), within the deadline; returns the byte count. */
    public long readToEnd() throws IOException {
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try {
            int r;
            while ((r = in.read(buf)) >= 0) {
                n += r;
            }
        } catch (SocketException reset) {
            // A reset ends the connection too.
        }
        return n;
    }

    /** Whether the server has closed the connection: the next read is EOF (within the deadline). */
    public boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true;
        }
    }

    public void setDeadline(Duration d) throws IOException {
        socket.setSoTimeout((int) d.toMillis());
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        InputStream s = in;
        int b;
        while ((b = s.read()) >= 0) {
            if (b == '\n') {
                byte[] l = line.toByteArray();
                int len = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                return new String(l, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        throw new EOFException("connection closed while reading a line: " + line.toString(StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
