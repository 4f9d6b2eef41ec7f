package dev.halley.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.PublishRate;
import dev.halley.server.ServerContext;
import dev.halley.server.http.CallbackName;
import dev.halley.server.http.ErrorBody;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import dev.halley.server.transport.SubscribeParams;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;

/**
 * {@code /publish}: browsers publishing over the HTTP transports, where the channel policy allows
 * it. {@code POST} with {@code {"channel":…,"data":…}}; or, for JSONP clients,
 * {@code GET ?channel=…&data=<JSON>&callback=NAME}. Each connection is held to
 * {@code publish-rate} messages per second (429, and the connection is closed after repeated
 * refusals).
 */
public final class ClientPublish implements Route {
    static final AttributeKey<PublishRate> RATE = AttributeKey.valueOf("halley.publishRate");

    private final ServerContext server;

    public ClientPublish(ServerContext server) {
        this.server = server;
    }

    @Override
    public void handle(HttpExchange ex) {
        ex.requireMethod(HttpMethod.POST, HttpMethod.GET);
        String callback = null;
        JsonNode body;
        if (ex.method().equals(HttpMethod.GET)) {
            callback = CallbackName.check(ex.param("callback"));
            String data = ex.param("data");
            if (data == null) {
                throw new HalleyException(ReplyError.BAD_JSON, "data= (a JSON value) is required.");
            }
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("channel", ex.param("channel"));
            o.set("data", server.json().parse(data));
            body = o;
        } else {
            body = server.json().parse(ex.body());
        }
        Publishing.Item item = Publishing.item(server, body);
        if (!server.config().policy().mayPublish(item.channel())) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Clients may not publish to " + item.channel() + ".");
        }
        PublishRate rate = ex.ctx().channel().attr(RATE).get();
        if (rate == null) {
            rate = new PublishRate(server.config().publishRate());
            ex.ctx().channel().attr(RATE).set(rate);
        }
        if (!rate.tryAcquire()) {
            boolean close = rate.exhausted();
            answer(ex, callback, ReplyError.TOO_MANY, "Over " + server.config().publishRate() + " messages per second.");
            if (close) {
                ex.ctx().close();
            }
            return;
        }
        String cb = callback;
        Publishing.publishAll(server, java.util.List.of(item)).whenComplete((published, failure) -> ex.ctx().executor().execute(() -> {
            if (!ex.isOpen()) {
                return;
            }
            if (failure != null) {
                Throwable t = SubscribeParams.unwrap(failure);
                answer(ex, cb, t instanceof HalleyException h ? h.error() : ReplyError.UNAVAILABLE,
                        t instanceof HalleyException h ? h.getMessage() : "The broker could not be reached.");
                return;
            }
            byte[] json = Publishing.reply(published.get(0)).getBytes(StandardCharsets.US_ASCII);
            if (cb != null) {
                ex.sendJsonp(cb, json);
            } else {
                ex.sendJson(HttpResponseStatus.OK, json);
            }
        }));
    }

    /** Errors go back as JSONP too when the client asked for JSONP (a script tag cannot read a 4xx). */
    private void answer(HttpExchange ex, String callback, ReplyError error, String message) {
        if (callback == null) {
            ex.sendError(error, message);
        } else {
            server.metrics().error(error);
            ex.sendJsonp(callback, ErrorBody.of(error, message));
        }
    }
}
