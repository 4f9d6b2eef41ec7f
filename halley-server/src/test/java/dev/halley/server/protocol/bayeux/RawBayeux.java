package dev.halley.server.protocol.bayeux;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.halley.server.testing.HalleyServerExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Bayeux by hand over the JDK HTTP client, for the tests where the exact messages matter: one
 * browser is one {@code BAYEUX_BROWSER} cookie, kept here as a plain string.
 */
final class RawBayeux {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HalleyServerExtension server;
    /** {@code BAYEUX_BROWSER=…}, once a handshake set it (or a test chose it). */
    String cookie;

    RawBayeux(HalleyServerExtension server) {
        this.server = server;
    }

    /** The answer to one request: its status, its body, and the cookie it set. */
    record Answer(int status, String body, String setCookie, String contentType) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }

        /** The element of the answer array on {@code channel} (the first one). */
        JsonNode on(String channel) throws Exception {
            for (JsonNode m : json()) {
                if (channel.equals(m.path("channel").asText())) {
                    return m;
                }
            }
            throw new AssertionError("no message on " + channel + " in " + body);
        }
    }

    Answer post(String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return answer(server.http().send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    Answer get(String pathAndQuery) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return answer(server.http().send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private Answer answer(HttpResponse<String> r) {
        String set = r.headers().firstValue("set-cookie").orElse(null);
        if (set != null && cookie == null) {
            cookie = set.substring(0, set.indexOf(';'));
        }
        return new Answer(r.statusCode(), r.body(), set, r.headers().firstValue("content-type").orElse(""));
    }

    /** Handshakes over long-polling; returns the clientId. */
    String handshake(String ext) throws Exception {
        Answer a = post("/cometd/handshake", "[{\"id\":\"1\",\"channel\":\"/meta/handshake\",\"version\":\"1.0\","
                + "\"supportedConnectionTypes\":[\"long-polling\"]" + (ext == null ? "" : ",\"ext\":" + ext) + "}]");
        assertThat(a.status()).isEqualTo(200);
        JsonNode reply = a.on("/meta/handshake");
        assertThat(reply.get("successful").asBoolean()).as(a.body()).isTrue();
        return reply.get("clientId").asText();
    }

    String handshake() throws Exception {
        return handshake(null);
    }

    /** One {@code /meta/connect}; {@code timeout} 0 asks for an answer at once, -1 lets the server hold it. */
    Answer connect(String clientId, long timeout, String ext) throws Exception {
        return post("/cometd/connect", "[{\"id\":\"c\",\"channel\":\"/meta/connect\",\"connectionType\":\"long-polling\",\"clientId\":\""
                + clientId + "\"" + (timeout >= 0 ? ",\"advice\":{\"timeout\":" + timeout + "}" : "")
                + (ext == null ? "" : ",\"ext\":" + ext) + "}]");
    }

    Answer subscribe(String clientId, String subscription) throws Exception {
        return post("/cometd", "[{\"id\":\"s\",\"channel\":\"/meta/subscribe\",\"clientId\":\"" + clientId
                + "\",\"subscription\":\"" + subscription + "\"}]");
    }
}
