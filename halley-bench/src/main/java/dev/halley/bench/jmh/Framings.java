package dev.halley.bench.jmh;

import dev.halley.server.transport.stream.StreamFraming;
import java.lang.reflect.Constructor;

/**
 * The server's own stream framings, which are package-private to their transport packages: made
 * once through reflection (the bench runs on the class path, so nothing is sealed off) and then
 * called through the public {@link StreamFraming} interface like {@code StreamingResponse} does,
 * so the benchmarks measure the production encoders, not copies of them. A renamed class fails
 * {@code JmhSmokeTest} at once.
 */
final class Framings {
    private Framings() {
    }

    /** The NDJSON stream's framing ({@code GET /stream}). */
    static StreamFraming ndjson() {
        return create("dev.halley.server.transport.ndjson.NdjsonFraming");
    }

    /** The SSE framing ({@code GET /sse}). */
    static StreamFraming sse() {
        return create("dev.halley.server.transport.sse.SseFraming");
    }

    private static StreamFraming create(String className) {
        try {
            Constructor<?> c = Class.forName(className).getDeclaredConstructor();
            c.setAccessible(true);
            return (StreamFraming) c.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("framing " + className + " not found: was it renamed?", e);
        }
    }
}
