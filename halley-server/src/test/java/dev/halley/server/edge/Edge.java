package dev.halley.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.testing.HalleyServerExtension;
import dev.halley.server.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the edge tests share: building raw requests, asserting the one JSON error shape, reading
 * counters from {@code /metrics} and checking that the server closed a connection.
 */
final class Edge {
    static final ObjectMapper JSON = new ObjectMapper();

    private Edge() {
    }

    /** A complete request with a body and a correct {@code Content-Length}. */
    static byte[] request(String method, String path, byte[] body, String... headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(method, path, headers).append("Content-Length: ").append(body.length).append("\r\n\r\n")
                .toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    static byte[] post(String path, String body, String... headers) {
        return request("POST", path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** The request line, Host and the extra header lines, without the blank line that ends the head. */
    static StringBuilder head(String method, String path, String... headers) {
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb;
    }

    /** One chunk of a chunked body. */
    static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** {@code {"channel":channel,"data":"xxx…"}} of exactly {@code size} bytes. */
    static String publishBodyOfSize(String channel, int size) {
        String prefix = "{\"channel\":\"" + channel + "\",\"data\":\"";
        String suffix = "\"}";
        int pad = size - prefix.length() - suffix.length();
        assertThat(pad).isPositive();
        return prefix + "x".repeat(pad) + suffix;
    }

    /**
     * Asserts {@code body} is exactly {@code {"error":code,"message":"…"}} with a non-blank
     * message; returns the message.
     */
    static String assertError(String body, String code) throws IOException {
        JsonNode n = JSON.readTree(body);
        assertThat(n.isObject()).as("error body %s", body).isTrue();
        assertThat(n.size()).as("fields of %s", body).isEqualTo(2);
        assertThat(n.path("error").asText()).as("error code in %s", body).isEqualTo(code);
        assertThat(n.path("message").isTextual()).isTrue();
        assertThat(n.path("message").asText()).isNotBlank();
        return n.get("message").asText();
    }

    /** Reads a response head and its body; asserts status, JSON type and error shape. Returns the body. */
    static String readError(RawHttp raw, int status, String code) throws IOException {
        RawHttp.Head head = raw.readHead();
        String body = raw.readBody(head);
        assertThat(head.status()).as("status of %s %s", head.statusLine(), body).isEqualTo(status);
        assertThat(head.header("content-type")).isEqualTo("application/json; charset=UTF-8");
        assertError(body, code);
        return body;
    }

    static void assertError(HttpResponse<String> r, int status, String code) throws IOException {
        assertThat(r.statusCode()).as("status, body %s", r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        assertError(r.body(), code);
    }

    /** Asserts the server closes the connection (EOF) within a few seconds. */
    static void assertClosedByServer(RawHttp raw) throws IOException {
        raw.setDeadline(Duration.ofSeconds(5));
        assertThat(raw.isClosedByServer()).as("connection closed by the server").isTrue();
    }

    /**
     * Sends {@code request} on a fresh connection while another client holds a long-poll, and
     * asserts the whole refusal: the status, {@code Connection: close}, the JSON error, the
     * connection closed by the server, the bystander unaffected and the error counted once.
     */
    static void assertRefusedAndClosed(HalleyServerExtension server, String request, int status, String code) throws Exception {
        long before = errors(server, code);
        try (Bystander other = Bystander.hold(server); RawHttp raw = new RawHttp(server.port())) {
            raw.send(request);
            RawHttp.Head head = raw.readHead();
            String body = raw.readBody(head);
            assertThat(head.status()).as("status of %s %s", head.statusLine(), body).isEqualTo(status);
            assertThat(head.header("connection")).isEqualTo("close");
            assertError(body, code);
            assertClosedByServer(raw);
            other.assertUnaffected();
        }
        assertThat(errors(server, code)).isEqualTo(before + 1);
    }

    /** The value of {@code halley_errors_total{code="…"}}, read over HTTP. */
    static long errors(HalleyServerExtension server, String code) throws Exception {
        return counter(server, "halley_errors_total{code=\"" + code + "\"}");
    }

    /** The value of one series (name with labels, exactly as rendered) in {@code /metrics}. */
    static long counter(HalleyServerExtension server, String series) throws Exception {
        HttpResponse<String> r = server.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)$").matcher(r.body());
        assertThat(m.find()).as("series %s in\n%s", series, r.body()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
