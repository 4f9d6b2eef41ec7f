package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.enc;
import static dev.halley.server.edge.Edge.errors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.core.ChannelPattern;
import dev.halley.server.ChannelPolicy;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /publish}, browsers publishing: the channel policy and the reserved namespaces are
 * enforced, and the JSONP GET form answers errors as JSONP (a script tag cannot read a 4xx).
 */
@Timeout(30)
class ClientPublishTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.withPolicy(new ChannelPolicy(List.of(
            new ChannelPolicy.Rule(ChannelPattern.parse("/readonly/**"), true, false),
            new ChannelPolicy.Rule(ChannelPattern.parse("/secret/**"), false, false)))));

    @Test
    void anOpenChannelAcceptsAPublish() throws Exception {
        HttpResponse<String> r = server.post("/publish", "{\"channel\":\"/open/a\",\"data\":{\"x\":1}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"channel\":\"/open/a\",\"offset\":1}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/readonly/news", "/secret/x", "/meta/x", "/meta/handshake", "/service/x"})
    void forbiddenChannelsAre403(String channel) throws Exception {
        long before = errors(server, "forbidden");
        Edge.assertError(server.post("/publish", "{\"channel\":\"" + channel + "\",\"data\":1}"), 403, "forbidden");
        assertThat(errors(server, "forbidden")).isEqualTo(before + 1);
        assertThat(server.hub().history(channel, 0, 10).toCompletableFuture().get().messages()).isEmpty();
    }

    @Test
    void thePolicyAlsoGuardsSubscribing() throws Exception {
        assertThat(server.get("/poll?channel=/readonly/news").statusCode()).isEqualTo(200);
        Edge.assertError(server.get("/poll?channel=/secret/x"), 403, "forbidden");
        Edge.assertError(server.get("/poll?channel=/secret/**"), 403, "forbidden");
        Edge.assertError(server.get("/poll?channel=/service/x"), 403, "forbidden");
    }

    @Test
    void badJsonIs400() throws Exception {
        Edge.assertError(server.post("/publish", "{\"channel\":\"/open/b\",\"data\":"), 400, "bad_json");
        Edge.assertError(server.post("/publish", "{\"channel\":\"/open/b\"}"), 400, "bad_json");
        Edge.assertError(server.post("/publish", "{\"channel\":\"bad chan\",\"data\":1}"), 400, "bad_channel");
    }

    @Test
    void jsonpGetFormPublishes() throws Exception {
        HttpResponse<String> r = server.get("/publish?channel=/open/jsonp&data=" + enc("{\"a\":\"<\\u2028\"}") + "&callback=cb");
        assertThat(r.statusCode()).isEqualTo(200);
        assertJavascript(r);
        assertThat(r.body()).isEqualTo("/**/cb({\"channel\":\"/open/jsonp\",\"offset\":1});");
        String stored = server.get("/poll?channel=/open/jsonp&since=0").body();
        assertThat(Edge.JSON.readTree(stored).at("/messages/0/data/a").asText()).isEqualTo("<\u2028");
    }

    @Test
    void jsonpErrorsAreJsonpWhenTheCallbackIsValid() throws Exception {
        long before = errors(server, "forbidden");
        HttpResponse<String> r = server.get("/publish?channel=/readonly/x&data=1&callback=parent.cb");
        assertThat(r.statusCode()).isEqualTo(200);
        assertJavascript(r);
        assertThat(r.body()).startsWith("/**/parent.cb(").endsWith(");");
        Edge.assertError(jsonpArgument(r.body(), "parent.cb"), "forbidden");
        assertThat(errors(server, "forbidden")).isEqualTo(before + 1);

        r = server.get("/publish?channel=/open/x&callback=cb");
        Edge.assertError(jsonpArgument(r.body(), "cb"), "bad_json");
        r = server.get("/publish?channel=/open/x&data=" + enc("{nope") + "&callback=cb");
        Edge.assertError(jsonpArgument(r.body(), "cb"), "bad_json");
        r = server.get("/publish?channel=" + enc("bad chan") + "&data=1&callback=cb");
        Edge.assertError(jsonpArgument(r.body(), "cb"), "bad_channel");
        r = server.get("/publish?data=1&callback=cb");
        Edge.assertError(jsonpArgument(r.body(), "cb"), "bad_channel");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alert(1)//", "<script>", "a[0]", ""})
    void aBadCallbackIsAPlain400AndNotEchoed(String callback) throws Exception {
        HttpResponse<String> r = server.get("/publish?channel=/open/x&data=1&callback=" + enc(callback));
        Edge.assertError(r, 400, "bad_callback");
        if (!callback.isEmpty()) {
            assertThat(r.body()).doesNotContain(callback);
        }
    }

    @Test
    void theGetFormNeedsACallback() throws Exception {
        Edge.assertError(server.get("/publish?channel=/open/x&data=1"), 400, "bad_callback");
        Edge.assertError(server.get("/publish?channel=/open/x&data=1&callback=a&callback=b"), 400, "bad_callback");
    }

    static void assertJavascript(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("content-type")).hasValue("application/javascript; charset=UTF-8");
        assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    }

    /** The JSON inside {@code /**}{@code /cb(…);}. */
    static String jsonpArgument(String body, String callback) {
        String prefix = "/**/" + callback + "(";
        assertThat(body).startsWith(prefix).endsWith(");");
        return body.substring(prefix.length(), body.length() - 2);
    }
}
