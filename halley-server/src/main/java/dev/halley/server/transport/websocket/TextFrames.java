package dev.halley.server.transport.websocket;

import dev.halley.core.Message;

/**
 * Server-to-client text frames, encoded once. A server frame is unmasked (RFC 6455 §5.1), so
 * the bytes of a message's frame are the same for every subscriber: they are built once per
 * message, cached on it, and written to each connection as they are. Netty's WebSocket encoder
 * lets a plain buffer pass through untouched.
 */
final class TextFrames {
    private static final Message.Slot<byte[]> FRAME = new Message.Slot<>();

    private TextFrames() {
    }

    /** The whole frame (header and payload) of {@code m}'s JSON. */
    static byte[] of(Message m) {
        return m.encoding(FRAME, msg -> frame(msg.json()));
    }

    /** A final text frame carrying {@code payload} (RFC 6455 §5.2). */
    static byte[] frame(byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n < 65536 ? 4 : 10;
        byte[] out = new byte[header + n];
        out[0] = (byte) 0x81; // FIN, text
        if (n < 126) {
            out[1] = (byte) n;
        } else if (n < 65536) {
            out[1] = 126;
            out[2] = (byte) (n >>> 8);
            out[3] = (byte) n;
        } else {
            out[1] = 127;
            for (int i = 0; i < 8; i++) {
                out[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, out, header, n);
        return out;
    }
}
