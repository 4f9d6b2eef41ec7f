package dev.halley.server.transport.websocket;

import io.netty.buffer.ByteBuf;

/**
 * Well-formed UTF-8 (RFC 3629 section 4; Unicode table 3-7) checked incrementally, so that a text
 * message split over WebSocket fragments is validated fragment by fragment and refused at the
 * first bad byte (RFC 6455 section 8.1). The state between fragments is one int, kept by the
 * connection: {@link #COMPLETE} at a character boundary, {@link #INVALID} after a bad byte,
 * otherwise the continuation bytes still expected and the range the next one must fall in.
 */
final class Utf8Scanner {
    /** At a character boundary: where every message starts, and where a whole one must end. */
    static final int COMPLETE = 0;
    /** Not UTF-8; stays so. */
    static final int INVALID = -1;

    private Utf8Scanner() {
    }

    /** Scans the readable bytes of {@code buf} (not moving its indexes) from {@code state}; returns the state after them. */
    static int scan(int state, ByteBuf buf) {
        int end = buf.writerIndex();
        for (int i = buf.readerIndex(); i < end && state != INVALID; i++) {
            state = next(state, buf.getByte(i) & 0xFF);
        }
        return state;
    }

    private static int next(int state, int b) {
        if (state == COMPLETE) {
            if (b < 0x80) {
                return COMPLETE;
            }
            if (b >= 0xC2 && b <= 0xDF) {
                return expect(1, 0x80, 0xBF);
            }
            if (b >= 0xE0 && b <= 0xEF) {
                // E0 must not be overlong; ED must not encode a surrogate.
                return expect(2, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF);
            }
            if (b >= 0xF0 && b <= 0xF4) {
                // F0 must not be overlong; F4 must stay at or below U+10FFFF.
                return expect(3, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF);
            }
            return INVALID;
        }
        int low = (state >>> 8) & 0xFF;
        int high = state & 0xFF;
        if (b < low || b > high) {
            return INVALID;
        }
        int left = (state >>> 16) - 1;
        return left == 0 ? COMPLETE : expect(left, 0x80, 0xBF);
    }

    private static int expect(int bytes, int low, int high) {
        return bytes << 16 | low << 8 | high;
    }
}
