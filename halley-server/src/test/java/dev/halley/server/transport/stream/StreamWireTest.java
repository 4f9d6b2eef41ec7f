package dev.halley.server.transport.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.halley.core.Cursor;
import dev.halley.core.Message;
import dev.halley.core.Position;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Exact bytes of every streaming transport: headers, preamble, message, cursor and gap frames, escaping, refusals. */
@Timeout(30)
class StreamWireTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    private static String channel(Wire w, String name) {
        return "/wire/" + w.name().toLowerCase() + "/" + name;
    }

    private static Message stored(String channel, long offset) throws Exception {
        return server.hub().history(channel, offset - 1, 1).toCompletableFuture().get(5, TimeUnit.SECONDS).messages().get(0);
    }

    private static String json(Message m) {
        return new String(m.json(), StandardCharsets.UTF_8);
    }

    private static Position position(String cursor, String channel) {
        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        return Cursor.decode(cursor).positions().get(channel);
    }

    /** The exact frame of a control object or message on {@code w} (for SSE: a message event with {@code id}). */
    private static String frame(Wire w, String json, String sseId) {
        return w == Wire.SSE ? "id: " + sseId + "\ndata: " + json + "\n\n" : w.frame(json);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void headersPreambleOpeningMessageAndCursorAreExact(Wire w) throws Exception {
        String ch = channel(w, "exact");
        server.publish(ch, "{\"n\":1}");
        Message m = stored(ch, 1);
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + ch + "&since=0")) {
            assertThat(c.head.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(c.head.header("cache-control")).isEqualTo("no-store, no-cache, must-revalidate, no-transform, max-age=0");
            assertThat(c.head.header("pragma")).isEqualTo("no-cache");
            assertThat(c.head.header("expires")).isEqualTo("0");
            assertThat(c.head.header("x-accel-buffering")).isEqualTo("no");
            assertThat(c.head.header("x-content-type-options")).isEqualTo("nosniff");
            assertThat(c.head.header("content-length")).isNull();

            StreamItem opening = c.next();
            assertThat(opening.kind()).isEqualTo(StreamItem.Kind.CURSOR);
            String start = opening.resume();
            assertThat(opening.raw()).isEqualTo(w == Wire.SSE ? "id: " + start + "\n\n" : w.frame("{\"cursor\":\"" + start + "\"}"));
            assertThat(position(start, ch)).isEqualTo(new Position(m.epoch(), 0));

            StreamItem message = c.next();
            assertThat(message.kind()).isEqualTo(StreamItem.Kind.MESSAGE);
            assertThat(json(m)).isEqualTo("{\"channel\":\"" + ch + "\",\"offset\":1,\"data\":{\"n\":1},\"time\":" + m.time() + "}");
            assertThat(message.raw()).isEqualTo(frame(w, json(m), message.resume()));

            if (w == Wire.SSE) {
                assertThat(position(message.resume(), ch)).isEqualTo(new Position(m.epoch(), 1));
            } else {
                StreamItem cursor = c.next();
                assertThat(cursor.kind()).isEqualTo(StreamItem.Kind.CURSOR);
                assertThat(cursor.raw()).isEqualTo(w.frame("{\"cursor\":\"" + cursor.resume() + "\"}"));
                assertThat(position(cursor.resume(), ch)).isEqualTo(new Position(m.epoch(), 1));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void gapNoticeComesBeforeReplayedMessages(Wire w) throws Exception {
        String ch = channel(w, "gap");
        server.publish(ch, "1");
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + ch + "&since=50")) {
            assertThat(c.next().kind()).isEqualTo(StreamItem.Kind.CURSOR);
            StreamItem gap = c.next();
            String notice = "{\"channel\":\"" + ch + "\",\"recovered\":false}";
            assertThat(gap.kind()).isEqualTo(StreamItem.Kind.GAP);
            assertThat(gap.raw()).isEqualTo(w == Wire.SSE ? "event: gap\ndata: " + notice + "\n\n" : w.frame(notice));
            StreamItem replayed = c.next();
            assertThat(replayed.kind()).isEqualTo(StreamItem.Kind.MESSAGE);
            assertThat(replayed.offset()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Wire.class, names = {"IFRAME", "HTMLFILE"})
    void scriptEndTagInDataCannotEndTheScriptBlock(Wire w) throws Exception {
        String ch = channel(w, "xss");
        String evil = "</script><script>alert(1)</script><!--\u2028";
        server.publish(ch, Wire.JSON.writeValueAsString(evil));
        Message m = stored(ch, 1);
        try (StreamClient c = StreamClient.open(server.port(), w, "channel=" + ch + "&since=0")) {
            c.next();
            StreamItem message = c.next();
            String escaped = json(m).replace("<", "\\u003c").replace("\u2028", "\\u2028");
            assertThat(message.raw()).isEqualTo(w.frame(escaped));
            assertThat(message.raw().indexOf("</script>")).isEqualTo(message.raw().length() - "</script>\n".length());
            assertThat(message.raw()).doesNotContain("<!--").doesNotContain("\u2028");
            assertThat(message.json().get("data").asText()).isEqualTo(evil);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Wire.class, names = {"IFRAME", "HTMLFILE"})
    void missingCallbackIsA400JsonError(Wire w) throws Exception {
        HttpResponse<String> r = server.get(w.path + "?channel=/wire/nocb");
        assertBadCallback(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alert(1)//", "<script>", "a,b", "a b", "1abc", "parent['cb']", ""})
    void badCallbacksAre400JsonErrors(String callback) throws Exception {
        for (Wire w : new Wire[] {Wire.IFRAME, Wire.HTMLFILE}) {
            assertBadCallback(server.get(w.path + "?channel=/wire/badcb&callback=" + URLEncoder.encode(callback, StandardCharsets.UTF_8)));
        }
    }

    @Test
    void overlongOrRepeatedCallbacksAreRefused() throws Exception {
        for (Wire w : new Wire[] {Wire.IFRAME, Wire.HTMLFILE}) {
            assertBadCallback(server.get(w.path + "?channel=/wire/badcb&callback=" + "a".repeat(129)));
            assertBadCallback(server.get(w.path + "?channel=/wire/badcb&callback=a&callback=b"));
        }
    }

    private static void assertBadCallback(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        JsonNode body = Wire.JSON.readTree(r.body());
        assertThat(body.get("error").asText()).isEqualTo("bad_callback");
        assertThat(body.get("message").asText()).doesNotContain("<script>").doesNotContain("alert");
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void onlyGetIsAllowed(Wire w) throws Exception {
        HttpResponse<String> r = server.http().send(HttpRequest.newBuilder(server.uri(w.target("channel=/wire/post")))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET");
        assertThat(Wire.JSON.readTree(r.body()).get("error").asText()).isEqualTo("method_not_allowed");
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void subscribeErrorsAreJsonBeforeAnyStreaming(Wire w) throws Exception {
        HttpResponse<String> noChannel = server.get(w.target("x=1"));
        assertThat(noChannel.statusCode()).isEqualTo(400);
        assertThat(Wire.JSON.readTree(noChannel.body()).get("error").asText()).isEqualTo("bad_channel");
        // Refused only once the feed subscribes: still a JSON error, not a broken stream.
        HttpResponse<String> sinceOnWildcard = server.get(w.target("channel=/wire/any/*&since=3"));
        assertThat(sinceOnWildcard.statusCode()).isEqualTo(400);
        assertThat(sinceOnWildcard.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        HttpResponse<String> badCursor = server.get(w.target("channel=/wire/c&cursor=nope"));
        assertThat(badCursor.statusCode()).isEqualTo(400);
    }

    @Test
    void sseLastEventIdWinsOverTheCursorParameter() throws Exception {
        String ch = "/wire/sse/lastid";
        for (int i = 1; i <= 3; i++) {
            server.publish(ch, Integer.toString(i));
        }
        String afterTwo;
        try (StreamClient c = StreamClient.open(server.port(), Wire.SSE, "channel=" + ch + "&since=0")) {
            afterTwo = c.untilMessages(2).get(2).resume();
        }
        String start;
        try (StreamClient c = StreamClient.open(server.port(), Wire.SSE, "channel=" + ch)) {
            start = c.next().resume();
        }
        try (StreamClient c = StreamClient.open(server.port(), Wire.SSE, "channel=" + ch + "&cursor=" + start, "Last-Event-ID: " + afterTwo)) {
            c.next();
            assertThat(c.next().offset()).isEqualTo(3);
        }
    }

    @Test
    void sseSplitsMultiLineDataIntoDataLines() throws Exception {
        String ch = "/wire/sse/lines";
        // An embedder may publish JSON with line breaks straight to the hub.
        server.hub().publish(ch, "{\r\n\"a\": [1,\n2]\r}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Message m = stored(ch, 1);
        try (StreamClient c = StreamClient.open(server.port(), Wire.SSE, "channel=" + ch + "&since=0")) {
            c.next();
            StreamItem e = c.next();
            assertThat(e.raw()).isEqualTo("id: " + e.resume() + "\ndata: {\"channel\":\"" + ch + "\",\"offset\":1,\"data\":{\ndata: \"a\": [1,\ndata: 2]\ndata: },\"time\":"
                    + m.time() + "}\n\n");
            assertThat(e.json().at("/data/a/1").asInt()).isEqualTo(2);
        }
        try (StreamClient c = StreamClient.open(server.port(), Wire.NDJSON, "channel=" + ch + "&since=0")) {
            c.next();
            StreamItem line = c.next();
            assertThat(line.raw()).isEqualTo("{\"channel\":\"" + ch + "\",\"offset\":1,\"data\":{  \"a\": [1, 2] },\"time\":" + m.time() + "}\n");
        }
    }
}
