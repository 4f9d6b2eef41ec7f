package dev.halley.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.halley.core.CloseReason;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.server.PublishRate;
import dev.halley.server.ServerContext;
import dev.halley.server.http.CallbackName;
import dev.halley.server.http.HttpExchange;
import dev.halley.server.http.Route;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code /publish}: browsers publishing over the HTTP transports, where the channel policy allows
 * it. {@code POST} with {@code {"channel":…,"data":…}}; or, for JSONP clients,
 * {@code GET ?channel=…&data=<JSON>&callback=NAME}. Each connection is held to
 * {@code publish-rate} messages per second (429; after {@link PublishRate#MAX_STRIKES} refusals in a
 * row the refusal carries {@code Connection: close} and the connection ends).
 *
 * <p>JSONP: a missing or bad callback is a plain JSON 400 that does not echo it; once the callback
 * is valid, every answer, errors included, is {@code /**}{@code /NAME(…);} with status 200 (a script
 * tag cannot read a 4xx).
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
        String callback = ex.method().equals(HttpMethod.GET) ? CallbackName.required(ex) : null;
        try {
            publish(ex, callback);
        } catch (HalleyException e) {
            if (callback == null) {
                throw e;
            }
            ex.sendJsonpError(callback, e.error(), e.getMessage());
        }
    }

    private void publish(HttpExchange ex, String callback) {
        Publishing.Item item = Publishing.item(server, callback == null ? server.json().parse(ex.body()) : fromQuery(ex));
        if (!server.config().policy().mayPublish(item.channel())) {
            throw new HalleyException(ReplyError.FORBIDDEN, "Clients may not publish to " + item.channel() + ".");
        }
        PublishRate rate = rate(ex);
        if (!rate.tryAcquire()) {
            if (rate.exhausted()) {
                server.metrics().closed(CloseReason.PROTOCOL_ERROR);
                ex.closeAfterResponse();
            }
            throw new HalleyException(ReplyError.TOO_MANY, "Over " + server.config().publishRate() + " messages per second.");
        }
        Publishing.publishAll(server, List.of(item)).whenComplete((published, failure) -> ex.ctx().executor().execute(() -> {
            if (!ex.isOpen()) {
                return;
            }
            if (failure != null) {
                HalleyException h = HalleyException.of(failure);
                answerError(ex, callback, h.error(), h.getMessage());
                return;
            }
            byte[] json = Publishing.reply(published.get(0)).getBytes(StandardCharsets.US_ASCII);
            if (callback != null) {
                ex.sendJsonp(callback, json);
            } else {
                ex.sendJson(HttpResponseStatus.OK, json);
            }
        }));
    }

    /** The JSONP form's message: {@code channel=} and {@code data=} (a JSON value). */
    private JsonNode fromQuery(HttpExchange ex) {
        String data = ex.param("data");
        if (data == null) {
            throw new HalleyException(ReplyError.BAD_JSON, "data= (a JSON value) is required.");
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("channel", ex.param("channel"));
        o.set("data", server.json().parse(data));
        return o;
    }

    private PublishRate rate(HttpExchange ex) {
        PublishRate rate = ex.ctx().channel().attr(RATE).get();
        if (rate == null) {
            rate = new PublishRate(server.config().publishRate());
            ex.ctx().channel().attr(RATE).set(rate);
        }
        return rate;
    }

    private static void answerError(HttpExchange ex, String callback, ReplyError error, String message) {
        if (callback == null) {
            ex.sendError(error, message);
        } else {
            ex.sendJsonpError(callback, error, message);
        }
    }
}
