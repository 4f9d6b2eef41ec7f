package dev.halley.server.protocol.sockjs;

import dev.halley.server.http.ScriptSafe;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How one HTTP transport carries SockJS frames: its content type, the prelude of its streams and
 * the bytes around each frame. Byte for byte what sockjs-protocol 0.3.3 checks:
 * <pre>
 * xhr, xhr_streaming   FRAME\n                              streams start with 2048 'h' and \n
 * eventsource          data: FRAME\r\n\r\n                  starts with \r\n
 * htmlfile             &lt;script&gt;\np("FRAME");\n&lt;/script&gt;\r\n   starts with a 1 KiB page defining p
 * jsonp                CALLBACK("FRAME");\r\n
 * </pre>
 * The htmlfile and JSONP forms pass the frame as a JSON string; in the HTML one {@code <} is
 * escaped too, so that no message can end the script block.
 */
sealed interface HttpFraming {
    byte[] NONE = new byte[0];
    byte[] NEWLINE = {'\n'};

    /** The {@code Content-Type} of the response. */
    String contentType();

    /** Bytes a stream starts with, before the first frame; not counted in the budget. */
    default byte[] prelude() {
        return NONE;
    }

    /** One frame as this transport writes it. */
    byte[] wrap(byte[] frame);

    /** XHR polling and streaming. */
    record Xhr() implements HttpFraming {
        /** 2 KiB of {@code h} and a newline: some browsers expose a streamed response only after that much. */
        private static final byte[] PRELUDE = hs();

        private static byte[] hs() {
            byte[] p = new byte[2049];
            Arrays.fill(p, (byte) 'h');
            p[2048] = '\n';
            return p;
        }

        @Override
        public String contentType() {
            return "application/javascript; charset=UTF-8";
        }

        @Override
        public byte[] prelude() {
            return PRELUDE;
        }

        @Override
        public byte[] wrap(byte[] frame) {
            return concat(NONE, frame, NEWLINE);
        }
    }

    /** Server-Sent Events. */
    record EventSource() implements HttpFraming {
        /** A new line first, for an old Opera that lost the first event otherwise. */
        private static final byte[] PRELUDE = ascii("\r\n");
        private static final byte[] DATA = ascii("data: ");
        private static final byte[] END = ascii("\r\n\r\n");

        @Override
        public String contentType() {
            return "text/event-stream; charset=UTF-8";
        }

        @Override
        public byte[] prelude() {
            return PRELUDE;
        }

        @Override
        public byte[] wrap(byte[] frame) {
            return concat(DATA, frame, END);
        }
    }

    /**
     * The htmlfile document (the IE {@code ActiveXObject("htmlfile")} trick, an iframe elsewhere):
     * a page that calls {@code parent.CALLBACK.start()} and defines {@code p(d)} forwarding each
     * frame to {@code c.message(d)}, padded past 1 KiB so browsers run scripts as they arrive.
     *
     * @param callback a name checked by {@link dev.halley.server.http.CallbackName}
     */
    record Htmlfile(String callback) implements HttpFraming {
        static final int PADDED_SIZE = 1024;
        private static final byte[] OPEN = ascii("<script>\np(");
        private static final byte[] CLOSE = ascii(");\n</script>\r\n");

        @Override
        public String contentType() {
            return "text/html; charset=UTF-8";
        }

        @Override
        public byte[] prelude() {
            String page = """
                    <!doctype html>
                    <html><head>
                      <meta http-equiv="X-UA-Compatible" content="IE=edge" />
                      <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
                    </head><body><h2>Don't panic!</h2>
                      <script>
                        document.domain = document.domain;
                        var c = parent.%s;
                        c.start();
                        function p(d) {c.message(d);};
                        window.onload = function() {c.stop();};
                      </script>""".formatted(callback);
            return ascii(page + " ".repeat(Math.max(0, PADDED_SIZE - page.length())) + "\r\n");
        }

        @Override
        public byte[] wrap(byte[] frame) {
            return concat(OPEN, ScriptSafe.escape(Frames.quoteFrame(frame), true), CLOSE);
        }
    }

    /**
     * JSONP polling: {@code CALLBACK("FRAME");}.
     *
     * @param callback a name checked by {@link dev.halley.server.http.CallbackName}
     */
    record Jsonp(String callback) implements HttpFraming {
        private static final byte[] CLOSE = ascii(");\r\n");

        @Override
        public String contentType() {
            return "application/javascript; charset=UTF-8";
        }

        @Override
        public byte[] wrap(byte[] frame) {
            return concat(ascii(callback + "("), ScriptSafe.escape(Frames.quoteFrame(frame), false), CLOSE);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
