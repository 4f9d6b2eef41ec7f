package dev.halley.server.api;

import dev.halley.core.HalleyException;
import dev.halley.core.Message;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code POST /api/publish}: the back-end door (off-board publishing from any language).
 * Single {@code {"channel":…,"data":…}} → {@code {"channel":…,"offset":…}}; batch
 * {@code {"messages":[…]}} or a bare array → {@code {"results":[…]}}, published in order. With
 * {@code api-key} set, requires {@code Authorization: apikey <key>} (constant-time compare).
 * Not bound by the client channel policy; {@code /meta/**} stays reserved.
 */
public final class PublishApi implements Route {
    private final ServerContext server;
    private final byte[] apiKey;

    public PublishApi(ServerContext server) {
        this.server = server;
        this.apiKey = server.config().apiKey().isEmpty() ? null : server.config().apiKey().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.POST);
        authenticate(ex.header(HttpHeaderNames.AUTHORIZATION));
        if (server.isShuttingDown()) {
            throw new HalleyException(ReplyError.UNAVAILABLE, "The server is shutting down; publish to another node.");
        }
        var body = server.json().parse(ex.body());
        boolean batch = body.isArray() || (body.isObject() && body.has("messages"));
        List<Publishing.Item> items = Publishing.items(server, body);
        Publishing.publishAll(server, items).whenComplete((published, failure) -> ex.ctx().executor().execute(() -> {
            if (!ex.isOpen()) {
                return;
            }
            if (failure != null) {
                HalleyException h = HalleyException.of(failure);
                ex.sendError(h.error(), h.getMessage() + (batch ? " Messages published before the failure are kept." : ""));
                return;
            }
            ex.sendJson(HttpResponseStatus.OK, reply(published, batch).getBytes(StandardCharsets.US_ASCII));
        }));
    }

    private void authenticate(String authorization) {
        if (apiKey == null) {
            return;
        }
        String prefix = "apikey ";
        byte[] given = authorization != null && authorization.regionMatches(true, 0, prefix, 0, prefix.length())
                ? authorization.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(apiKey, given)) {
            throw new HalleyException(ReplyError.UNAUTHORIZED, "A valid 'Authorization: apikey <key>' header is required.");
        }
    }

    private static String reply(List<Message> published, boolean batch) {
        if (!batch) {
            return Publishing.reply(published.get(0));
        }
        StringBuilder sb = new StringBuilder(32 + published.size() * 40).append("{\"results\":[");
        for (int i = 0; i < published.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(Publishing.reply(published.get(i)));
        }
        return sb.append("]}").toString();
    }
}
