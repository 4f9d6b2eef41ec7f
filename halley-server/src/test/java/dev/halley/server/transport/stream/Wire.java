package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The four streaming transports as tests see them: the request path, the expected preamble and
 * a strict parser that turns the body after the preamble into {@link StreamItem}s (anything it
 * does not recognise fails the test).
 */
enum Wire {
    NDJSON("/stream", "", "application/x-ndjson; charset=UTF-8") {
        @Override
        String preamble() {
            return " ".repeat(2048) + "\n";
        }

        @Override
        StreamItem parse(StringBuilder body) {
            int nl = body.indexOf("\n");
            if (nl < 0) {
                return null;
            }
            String line = take(body, nl + 1);
            return StreamItem.ofJson(json(line.substring(0, nl)), null, line);
        }

        @Override
        String frame(String json) {
            return json + "\n";
        }
    },
    IFRAME("/iframe", "&callback=parent.cb", "text/html; charset=UTF-8") {
        @Override
        String preamble() {
            String head = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>";
            return head + "<!--" + " ".repeat(1024 - head.length() - 8) + "-->\n";
        }

        @Override
        StreamItem parse(StringBuilder body) {
            return script(body, "parent.cb");
        }

        @Override
        String frame(String json) {
            return "<script>parent.cb(" + json + ");</script>\n";
        }

        @Override
        String trailer() {
            return "</body></html>";
        }
    },
    HTMLFILE("/htmlfile", "&callback=cb", "text/html; charset=UTF-8") {
        @Override
        String preamble() {
            String head = "<!DOCTYPE html><html><head><meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">"
                    + "<meta charset=\"utf-8\"></head><body><script>function p(d){parent.cb(d);}</script>";
            return head + "<!--" + " ".repeat(1024 - head.length() - 8) + "-->\n";
        }

        @Override
        StreamItem parse(StringBuilder body) {
            return script(body, "p");
        }

        @Override
        String frame(String json) {
            return "<script>p(" + json + ");</script>\n";
        }

        @Override
        String trailer() {
            return "</body></html>";
        }
    },
    SSE("/sse", "", "text/event-stream; charset=UTF-8") {
        @Override
        String preamble() {
            return ":" + " ".repeat(2048) + "\n\nretry: 2000\n\n";
        }

        @Override
        StreamItem parse(StringBuilder body) {
            int end = body.indexOf("\n\n");
            if (end < 0) {
                return null;
            }
            String raw = take(body, end + 2);
            String event = null;
            String id = null;
            List<String> data = new ArrayList<>();
            for (String line : raw.substring(0, end).split("\n", -1)) {
                if (line.equals(": hb")) {
                    assertThat(raw).isEqualTo(": hb\n\n");
                    return StreamItem.heartbeat(raw);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                } else {
                    throw new AssertionError("unexpected SSE line '" + line + "' in " + raw);
                }
            }
            if (data.isEmpty()) {
                assertThat(event).isNull();
                assertThat(id).isNotNull();
                return StreamItem.cursor(id, raw);
            }
            JsonNode json = json(String.join("\n", data));
            if (event == null) {
                assertThat(id).as("message events carry an id").isNotNull();
                return StreamItem.ofJson(json, id, raw);
            }
            assertThat(id).isNull();
            return switch (event) {
                case "gap" -> StreamItem.ofJson(json, null, raw);
                case "reconnect" -> StreamItem.reconnect(json.get("reason").asText(), json.get("cursor").asText(), raw);
                default -> throw new AssertionError("unexpected event " + event);
            };
        }

        @Override
        String frame(String json) {
            throw new UnsupportedOperationException("SSE frames differ per kind");
        }
    };

    static final ObjectMapper JSON = new ObjectMapper();

    final String path;
    final String extraQuery;
    final String contentType;

    Wire(String path, String extraQuery, String contentType) {
        this.path = path;
        this.extraQuery = extraQuery;
        this.contentType = contentType;
    }

    /** The request target for {@code query} (without the leading '?'). */
    String target(String query) {
        return path + "?" + query + extraQuery;
    }

    abstract String preamble();

    /** Parses and removes the next complete item from the front of {@code body}; null when incomplete. */
    abstract StreamItem parse(StringBuilder body);

    /** A control object or message as framed by NDJSON, iframe and htmlfile. */
    abstract String frame(String json);

    /** What comes before the terminating chunk. */
    String trailer() {
        return "";
    }

    boolean isHtml() {
        return this == IFRAME || this == HTMLFILE;
    }

    private static StreamItem script(StringBuilder body, String function) {
        String open = "<script>" + function + "(";
        String close = ");</script>\n";
        if (body.length() < open.length()) {
            return null;
        }
        if (body.indexOf("</body></html>") == 0) {
            return null;
        }
        assertThat(body.substring(0, open.length())).as("frame start in: %s", body).isEqualTo(open);
        int end = body.indexOf(close);
        if (end < 0) {
            return null;
        }
        String raw = take(body, end + close.length());
        String json = raw.substring(open.length(), end);
        assertThat(json).doesNotContain("<");
        return StreamItem.ofJson(json(json), null, raw);
    }

    private static String take(StringBuilder body, int n) {
        String s = body.substring(0, n);
        body.delete(0, n);
        return s;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
