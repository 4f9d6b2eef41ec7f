package dev.halley.bench.jmh;

import dev.halley.core.Cursor;
import dev.halley.core.Message;
import dev.halley.core.Position;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The opaque resume cursor of a client following {@code channels} channels: encoded for every
 * poll answer, stream batch and SSE event, decoded for every resume, advanced per SSE event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CursorBenchmark {
    @Param({"1", "10"})
    public int channels;

    private Cursor cursor;
    private String encoded;
    private Message next;

    @Setup(Level.Trial)
    public void setUp() {
        Map<String, Position> positions = new LinkedHashMap<>();
        for (int i = 0; i < channels; i++) {
            positions.put(i == 0 ? Payloads.CHANNEL : "rooms/room-" + i, new Position(Payloads.EPOCH, 1000L + i * 37));
        }
        cursor = new Cursor(positions, 1735689600000L);
        encoded = cursor.encode();
        next = Payloads.message(5000);
    }

    @Benchmark
    public String encode() {
        return cursor.encode();
    }

    @Benchmark
    public Cursor decode() {
        return Cursor.decode(encoded);
    }

    /** Past one message of the first channel, as SSE does per event. */
    @Benchmark
    public Cursor advance() {
        return cursor.advance(next);
    }
}
