package dev.halley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SockJS framing on the client's side, byte for byte. */
class SockJsFramesTest {

    private static List<String> messages(String frame) {
        List<String> out = new ArrayList<>();
        int n = SockJsFrames.messages(frame, out::add);
        assertThat(n).isEqualTo(out.size());
        return out;
    }

    @Test
    void messagesOfAFrameAreUnescapedInOrder() {
        // As Halley's channels service frames two deliveries written together.
        assertThat(messages("a[\"{\\\"channel\\\":\\\"/x\\\",\\\"offset\\\":1,\\\"data\\\":{\\\"t\\\":5}}\","
                + "\"{\\\"channel\\\":\\\"/x\\\",\\\"offset\\\":2,\\\"data\\\":{\\\"t\\\":6}}\"]"))
                .containsExactly("{\"channel\":\"/x\",\"offset\":1,\"data\":{\"t\":5}}",
                        "{\"channel\":\"/x\",\"offset\":2,\"data\":{\"t\":6}}");
    }

    @Test
    void everyJsonEscapeIsUndone() {
        assertThat(messages("a[\"q\\\" b\\\\ s\\/ n\\n r\\r t\\t b\\b f\\f e\\u00e9 ls\\u2028 hi\\ud83d\\ude00\"]"))
                .containsExactly("q\" b\\ s/ n\n r\r t\t b\b f\f eé ls\u2028 hi😀");
    }

    @Test
    void emptyFramesAndSpaces() {
        assertThat(messages("a[]")).isEmpty();
        assertThat(messages("a[ \"x\" , \"y\" ]")).containsExactly("x", "y");
    }

    @Test
    void brokenFramesAreRefused() {
        assertThatThrownBy(() -> messages("o")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> messages("a[\"x\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> messages("a[\"x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> messages("a[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> messages("a[\"\\x\"]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> messages("a[\"x\";\"y\"]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatAClientSendsIsAnArrayOfJsonStrings() {
        assertThat(SockJsFrames.array(List.of("{\"op\":\"subscribe\",\"channel\":\"/x\",\"id\":1}", "a\\b\n")))
                .isEqualTo("[\"{\\\"op\\\":\\\"subscribe\\\",\\\"channel\\\":\\\"/x\\\",\\\"id\\\":1}\",\"a\\\\b\\u000a\"]");
        assertThat(SockJsFrames.array(List.of())).isEqualTo("[]");
    }

    @Test
    void whatIsSentComesBackTheSame() {
        String tricky = "{\"s\":\"quote \\\" backslash \\\\ tab\t\"}";
        assertThat(messages("a" + SockJsFrames.array(List.of(tricky, "")))).containsExactly(tricky, "");
    }
}
