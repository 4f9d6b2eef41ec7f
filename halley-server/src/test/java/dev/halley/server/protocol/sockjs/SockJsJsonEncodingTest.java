package dev.halley.server.protocol.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sockjs-protocol 0.3.3, "JSON Unicode Encoding": the server escapes what browsers would mangle,
 * and takes back whatever a client escaped.
 */
@Timeout(30)
class SockJsJsonEncodingTest {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c.with(ConfigKey.SOCKJS_TEST_SERVICES, "true"));

    /** The suite's {@code escapable_by_client}. */
    private static final Pattern BY_CLIENT = Pattern.compile("[\\\\\"\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u0600-\\u0604\\u070f\\u17b4\\u17b5"
            + "\\u2000-\\u20ff\\ufeff\\ufff0-\\uffff\\x00-\\x1f\\ufffe\\uffff\\u0300-\\u0333\\u033d-\\u0346\\u034a-\\u034c\\u0350-\\u0352"
            + "\\u0357-\\u0358\\u035c-\\u0362\\u0374\\u037e\\u0387\\u0591-\\u05af\\u05c4\\u0610-\\u0617\\u0653-\\u0654\\u0657-\\u065b"
            + "\\u065d-\\u065e\\u06df-\\u06e2\\u06eb-\\u06ec\\u0730\\u0732-\\u0733\\u0735-\\u0736\\u073a\\u073d\\u073f-\\u0741\\u0743"
            + "\\u0745\\u0747\\u07eb-\\u07f1\\u0951\\u0958-\\u095f\\u09dc-\\u09dd\\u09df\\u0a33\\u0a36\\u0a59-\\u0a5b\\u0a5e"
            + "\\u0b5c-\\u0b5d\\u0e38-\\u0e39\\u0f43\\u0f4d\\u0f52\\u0f57\\u0f5c\\u0f69\\u0f72-\\u0f76\\u0f78\\u0f80-\\u0f83\\u0f93"
            + "\\u0f9d\\u0fa2\\u0fa7\\u0fac\\u0fb9\\u1939-\\u193a\\u1a17\\u1b6b\\u1cda-\\u1cdb\\u1dc0-\\u1dcf\\u1dfc\\u1dfe\\u1f71"
            + "\\u1f73\\u1f75\\u1f77\\u1f79\\u1f7b\\u1f7d\\u1fbb\\u1fbe\\u1fc9\\u1fcb\\u1fd3\\u1fdb\\u1fe3\\u1feb\\u1fee-\\u1fef"
            + "\\u1ff9\\u1ffb\\u1ffd\\u2000-\\u2001\\u20d0-\\u20d1\\u20d4-\\u20d7\\u20e7-\\u20e9\\u2126\\u212a-\\u212b\\u2329-\\u232a"
            + "\\u2adc\\u302b-\\u302c\\uaab2-\\uaab3\\uf900-\\ufa0d\\ufa10\\ufa12\\ufa15-\\ufa1e\\ufa20\\ufa22\\ufa25-\\ufa26"
            + "\\ufa2a-\\ufa2d\\ufa30-\\ufa6d\\ufa70-\\ufad9\\ufb1d\\ufb1f\\ufb2a-\\ufb36\\ufb38-\\ufb3c\\ufb3e\\ufb40-\\ufb41"
            + "\\ufb43-\\ufb44\\ufb46-\\ufb4e]");
    /** The suite's {@code escapable_by_server}. */
    private static final Pattern BY_SERVER = Pattern.compile("[\\x00-\\x1f\\u200c-\\u200f\\u2028-\\u202f\\u2060-\\u206f\\ufff0-\\uffff]");

    private final SockJsHttp http = new SockJsHttp(server);

    /** {@code "\\uXXXX…"} of every character from {@code from} that {@code p} matches (the suite's killer strings). */
    private static String escapedKillerString(Pattern p, int from) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = from; i < 65536; i++) {
            if (p.matcher(String.valueOf((char) i)).matches()) {
                sb.append(String.format("\\u%04x", i));
            }
        }
        return sb.append('"').toString();
    }

    // JSONEncoding.test_xhr_server_encodes
    @Test
    void serverEscapesWhatBrowsersMangle() throws Exception {
        String escaped = escapedKillerString(BY_SERVER, 255);
        String raw = new ObjectMapper().readValue(escaped, String.class);
        String url = SockJsHttp.session("echo");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        assertThat(http.post(url + "/xhr_send", "[\"" + raw + "\"]").status()).isEqualTo(204);
        SockJsHttp.Response r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        String body = r.body().strip();
        assertThat(body.substring(2, body.length() - 1)).isEqualTo(escaped);
    }

    // JSONEncoding.test_xhr_server_decodes
    @Test
    void serverDecodesWhatClientsEscape() throws Exception {
        String escaped = escapedKillerString(BY_CLIENT, 0);
        String url = SockJsHttp.session("echo");
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("o\n");
        assertThat(http.post(url + "/xhr_send", "[" + escaped + "]").status()).isEqualTo(204);
        SockJsHttp.Response r = http.post(url + "/xhr", null);
        assertThat(r.status()).isEqualTo(200);
        String body = r.body().strip();
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readValue(body.substring(2, body.length() - 1), String.class)).isEqualTo(json.readValue(escaped, String.class));
    }

    // Surrogate pairs arrive whole, and a lone surrogate survives the round trip escaped.
    @Test
    void surrogatesAreEscaped() throws Exception {
        String url = SockJsHttp.session("echo");
        http.post(url + "/xhr", null);
        assertThat(http.post(url + "/xhr_send", "[\"\uD83D\uDE00\", \"\\ud800\"]").status()).isEqualTo(204);
        assertThat(http.post(url + "/xhr", null).body()).isEqualTo("a[\"\\ud83d\\ude00\",\"\\ud800\"]\n");
    }
}
