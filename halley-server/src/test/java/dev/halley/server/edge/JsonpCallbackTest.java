package dev.halley.server.edge;

import static dev.halley.server.edge.ClientPublishTest.assertJavascript;
import static dev.halley.server.edge.ClientPublishTest.jsonpArgument;
import static dev.halley.server.edge.Edge.enc;
import static dev.halley.server.edge.Edge.errors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.testing.HalleyServerExtension;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JSONP callback names on {@code /poll} and {@code /longpoll}: a strict pattern, one value, never
 * echoed when refused; valid answers are {@code /**}{@code /cb(…);} JavaScript with nosniff, and so
 * are errors once the callback itself is valid.
 */
@Timeout(30)
class JsonpCallbackTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    @BeforeAll
    static void publish() throws Exception {
        server.publish("/jsonp/news", "{\"html\":\"</script><script>alert(1)</script>\"}");
    }

    static Stream<Arguments> badCallbacks() {
        return Stream.of("/poll", "/longpoll").flatMap(path -> Stream.of(
                Arguments.of(path, "callback=" + enc("alert(1)//"), "alert"),
                Arguments.of(path, "callback=" + enc("<script>"), "script"),
                Arguments.of(path, "callback=" + "c".repeat(200), "c".repeat(129)),
                Arguments.of(path, "callback=a&callback=b", null),
                Arguments.of(path, "callback=cb&callback=cb", null),
                Arguments.of(path, "callback=" + enc("a[0]"), "a[0]"),
                Arguments.of(path, "callback=" + enc("a.b()"), "a.b()"),
                Arguments.of(path, "callback=" + enc("a..b"), "a..b"),
                Arguments.of(path, "callback=" + enc("1a"), null),
                Arguments.of(path, "callback=" + enc("cb\n"), null),
                Arguments.of(path, "callback=", null),
                Arguments.of(path, "callback", null)));
    }

    @ParameterizedTest(name = "{0}?{1}")
    @MethodSource("badCallbacks")
    void aBadCallbackIs400AndNeverEchoed(String path, String query, String mustNotAppear) throws Exception {
        long before = errors(server, "bad_callback");
        HttpResponse<String> r = server.get(path + "?channel=/jsonp/news&since=0&" + query);
        Edge.assertError(r, 400, "bad_callback");
        if (mustNotAppear != null) {
            assertThat(r.body()).doesNotContain(mustNotAppear);
        }
        assertThat(errors(server, "bad_callback")).isEqualTo(before + 1);
    }

    static Stream<Arguments> goodCallbacks() {
        return Stream.of("/poll", "/longpoll").flatMap(path -> Stream.of(
                Arguments.of(path, "cb"), Arguments.of(path, "parent.cb"), Arguments.of(path, "jQuery3_1._x$"),
                Arguments.of(path, "$"), Arguments.of(path, "c".repeat(128))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("goodCallbacks")
    void aValidCallbackWrapsTheBatch(String path, String callback) throws Exception {
        HttpResponse<String> r = server.get(path + "?channel=/jsonp/news&since=0&callback=" + enc(callback));
        assertThat(r.statusCode()).isEqualTo(200);
        assertJavascript(r);
        String json = jsonpArgument(r.body(), callback);
        assertThat(Edge.JSON.readTree(json).at("/messages/0/data/html").asText()).isEqualTo("</script><script>alert(1)</script>");
    }

    static Stream<Arguments> errorsWithAValidCallback() {
        return Stream.of("/poll", "/longpoll").flatMap(path -> Stream.of(
                Arguments.of(path, "", "bad_channel"),
                Arguments.of(path, "channel=" + enc("bad chan"), "bad_channel"),
                Arguments.of(path, "channel=/meta/x", "forbidden"),
                Arguments.of(path, "channel=/a&since=abc", "bad_cursor"),
                Arguments.of(path, "channel=/a&cursor=garbage", "bad_cursor")));
    }

    @ParameterizedTest(name = "{0}?{1}")
    @MethodSource("errorsWithAValidCallback")
    void errorsAreJsonpWhenTheCallbackIsValid(String path, String query, String code) throws Exception {
        long before = errors(server, code);
        HttpResponse<String> r = server.get(path + "?" + query + "&callback=parent.cb");
        assertThat(r.statusCode()).as("a script tag only runs 200 answers").isEqualTo(200);
        assertJavascript(r);
        Edge.assertError(jsonpArgument(r.body(), "parent.cb"), code);
        assertThat(errors(server, code)).isEqualTo(before + 1);
    }

    @Test
    void aBadLongPollTimeoutIsJsonpToo() throws Exception {
        HttpResponse<String> r = server.get("/longpoll?channel=/a&timeout=soon&callback=cb");
        assertThat(r.statusCode()).isEqualTo(200);
        assertJavascript(r);
        Edge.assertError(jsonpArgument(r.body(), "cb"), "bad_request");
    }
}
