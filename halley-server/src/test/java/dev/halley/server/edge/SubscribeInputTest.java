package dev.halley.server.edge;

import static dev.halley.server.edge.Edge.enc;
import static dev.halley.server.edge.Edge.errors;
import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.testing.HalleyServerExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The subscribe side of {@code /poll} and {@code /longpoll}: channels, counts, resume points, policy. */
@Timeout(30)
class SubscribeInputTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension();

    static Stream<Arguments> refusals() {
        String tooMany = IntStream.rangeClosed(1, 129).mapToObj(i -> "channel=/many/" + i).collect(Collectors.joining("&"));
        String foreignCursor = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("1|0|/a~<script>~1".getBytes(StandardCharsets.US_ASCII));
        return Stream.of("/poll", "/longpoll").flatMap(path -> Stream.of(
                Arguments.of(path, "", 400, "bad_channel"),
                Arguments.of(path, "channel=", 400, "bad_channel"),
                Arguments.of(path, "channel=" + enc("/a b"), 400, "bad_channel"),
                Arguments.of(path, "channel=" + enc("/a<b>"), 400, "bad_channel"),
                Arguments.of(path, "channel=/" + "c".repeat(255), 400, "bad_channel"),
                Arguments.of(path, "channel=" + enc("/a/**/b"), 400, "bad_channel"),
                Arguments.of(path, tooMany, 429, "too_many"),
                Arguments.of(path, "channel=/a&since=-1", 400, "bad_cursor"),
                Arguments.of(path, "channel=/a&since=abc", 400, "bad_cursor"),
                Arguments.of(path, "channel=/a&since=99999999999999999999", 400, "bad_cursor"),
                Arguments.of(path, "channel=/a&since=1&epoch=" + enc("not an epoch!"), 400, "bad_cursor"),
                Arguments.of(path, "channel=/a&cursor=garbage", 400, "bad_cursor"),
                Arguments.of(path, "channel=/a&cursor=" + enc("!!not base64!!"), 400, "bad_cursor"),
                Arguments.of(path, "channel=/a&cursor=" + foreignCursor, 400, "bad_cursor"),
                Arguments.of(path, "channel=/a&channel=/b&since=0", 400, "bad_cursor"),
                Arguments.of(path, "channel=/meta/x", 403, "forbidden"),
                Arguments.of(path, "channel=/meta/**", 403, "forbidden"),
                Arguments.of(path, "channel=/service/x", 403, "forbidden")));
    }

    @ParameterizedTest(name = "{0}?{1}")
    @MethodSource("refusals")
    void badSubscribeInputIsRefused(String path, String query, int status, String code) throws Exception {
        long before = errors(server, code);
        try (Bystander other = Bystander.hold(server)) {
            HttpResponse<String> r = server.get(path + "?" + query);
            Edge.assertError(r, status, code);
            other.assertUnaffected();
        }
        assertThat(errors(server, code)).isEqualTo(before + 1);
    }

    @Test
    void exactlyTheMaximumOfChannelsIsAccepted() throws Exception {
        String query = IntStream.rangeClosed(1, 128).mapToObj(i -> "channel=/max/" + i).collect(Collectors.joining("&"));
        HttpResponse<String> r = server.get("/poll?" + query);
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void aLongPollTimeoutThatIsNotANumberIs400() throws Exception {
        Edge.assertError(server.get("/longpoll?channel=/a&timeout=soon"), 400, "bad_request");
        Edge.assertError(server.get("/longpoll?channel=/a&timeout=-1"), 400, "bad_request");
        Edge.assertError(server.get("/longpoll?channel=/a&timeout=NaN"), 400, "bad_request");
    }

    @Test
    void aCursorFromTheServerIsAccepted() throws Exception {
        server.publish("/resume/a", "1");
        String cursor = Edge.JSON.readTree(server.get("/poll?channel=/resume/a&since=0").body()).get("cursor").asText();
        server.publish("/resume/a", "2");
        HttpResponse<String> r = server.get("/poll?channel=/resume/a&cursor=" + cursor);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Edge.JSON.readTree(r.body()).at("/messages/0/data").asInt()).isEqualTo(2);
    }
}
