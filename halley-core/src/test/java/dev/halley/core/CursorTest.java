package dev.halley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

    private static Cursor sample() {
        Map<String, Position> positions = new LinkedHashMap<>();
        positions.put("/chat/room-1", new Position("Ab3dE9fG0h", 17));
        positions.put("news", new Position("zz_top-1", 0));
        positions.put("/a:b@c.d", new Position("x", Long.MAX_VALUE));
        return new Cursor(positions, 1_732_460_000_000L);
    }

    private static String forge(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void roundTripsPositionsInOrderAndTime() {
        Cursor c = sample();
        Cursor back = Cursor.decode(c.encode());
        assertThat(back).isEqualTo(c);
        assertThat(back.positions().keySet()).containsExactly("/chat/room-1", "news", "/a:b@c.d");
    }

    @Test
    void theResumePointAfterAMessageIsBuiltAndEncodedOnceForEveryFollowerOfItsChannel() {
        Message m = new Message("/chat/room-1", "Ab3dE9fG0h", 18, 1_732_460_000_500L, "{}".getBytes(StandardCharsets.UTF_8));
        Cursor after = Cursor.after(m);
        assertThat(Cursor.after(m)).isSameAs(after);
        assertThat(after.encode()).isSameAs(after.encode());
        assertThat(after.positions()).containsExactly(Map.entry("/chat/room-1", new Position("Ab3dE9fG0h", 18)));
        assertThat(after.time()).isEqualTo(m.time());
        // What a follower of that channel alone would have reached by advancing its own cursor.
        Cursor own = new Cursor(Map.of("/chat/room-1", new Position("Ab3dE9fG0h", 17)), 1_732_460_000_000L).advance(m);
        assertThat(after.positions()).isEqualTo(own.positions());
        assertThat(Cursor.decode(after.encode())).isEqualTo(after);
    }

    @Test
    void roundTripsAnEmptyCursor() {
        Cursor c = new Cursor(Map.of(), 0);
        assertThat(Cursor.decode(c.encode())).isEqualTo(c);
    }

    @Test
    void encodesToUrlAndHeaderSafeCharactersOnly() {
        assertThat(sample().encode()).matches("[A-Za-z0-9_-]+");
        Map<String, Position> many = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            many.put("/c/" + i, new Position(Epochs.random(), i * 7919L));
        }
        assertThat(new Cursor(many, -1).encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void positionsAreImmutableAndCopied() {
        Map<String, Position> source = new LinkedHashMap<>(Map.of("/a", new Position("e", 1)));
        Cursor c = new Cursor(source, 5);
        source.put("/b", new Position("e", 2));
        assertThat(c.positions()).containsOnlyKeys("/a");
        assertThatThrownBy(() -> c.positions().put("/c", new Position("e", 3))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void advanceMovesOneChannelAndKeepsTheRest() {
        Cursor c = sample();
        Message m = new Message("news", "zz_top-1", 4, 99, "1".getBytes(StandardCharsets.UTF_8));
        Cursor next = c.advance(m);
        assertThat(next.positions().get("news")).isEqualTo(new Position("zz_top-1", 4));
        assertThat(next.positions().get("/chat/room-1")).isEqualTo(new Position("Ab3dE9fG0h", 17));
        assertThat(next.time()).isEqualTo(c.time());
        assertThat(c.positions().get("news").offset()).isZero();

        Cursor added = c.advance(new Message("/new", "e1", 1, 99, "1".getBytes(StandardCharsets.UTF_8)));
        assertThat(added.positions().keySet()).containsExactly("/chat/room-1", "news", "/a:b@c.d", "/new");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"!!!", "abc def", "a+b/c", "====", "x", "MQ", "%00"})
    void rejectsGarbage(String encoded) {
        assertBadCursor(encoded);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2|5",                  // unknown version
            "1",                    // no time
            "1|",                   // empty time
            "1|x",                  // time not a number
            "1|5|",                 // empty position
            "1|5|/a~e",             // missing offset
            "1|5|/a~e~1~2",         // too many fields
            "1|5|/a~e~-1",          // negative offset
            "1|5|/a~e~1x",          // offset not a number
            "1|5|/a~e~99999999999999999999", // offset overflows
            "1|5|/a b~e~1",         // bad channel
            "1|5|~e~1",             // empty channel
            "1|5|/a~~1",            // empty epoch
            "1|5|/a~e.f~1",         // bad epoch
            "1|5|/a~e~1|/b~e",      // second position broken
            "1|99999999999999999999", // time overflows
    })
    void rejectsForgedContent(String plain) {
        assertBadCursor(forge(plain));
    }

    @Test
    void rejectsNonAsciiContent() {
        String encoded = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("1|5|/caf\u00e9~e~1".getBytes(StandardCharsets.UTF_8));
        assertBadCursor(encoded);
    }

    @Test
    void rejectsOversizedCursorsBeforeDecoding() {
        Map<String, Position> many = new LinkedHashMap<>();
        for (int i = 0; many.size() < 40; i++) {
            many.put("/" + "c".repeat(100) + i, new Position("e", i));
        }
        String big = new Cursor(many, 1).encode();
        assertThat(big.length()).isBetween(Cursor.MAX_ENCODED / 2, Cursor.MAX_ENCODED);
        assertThat(Cursor.decode(big).positions()).hasSize(40);
        assertBadCursor(big + "A".repeat(Cursor.MAX_ENCODED + 1 - big.length()));
    }

    @Test
    void acceptsAHandWrittenValidCursor() {
        Cursor c = Cursor.decode(forge("1|42|/a~E1~3|/b/c~E_2-x~0"));
        assertThat(c.time()).isEqualTo(42);
        assertThat(c.positions()).containsExactly(
                Map.entry("/a", new Position("E1", 3)), Map.entry("/b/c", new Position("E_2-x", 0)));
    }

    private static void assertBadCursor(String encoded) {
        assertThatThrownBy(() -> Cursor.decode(encoded))
                .isInstanceOfSatisfying(HalleyException.class, e -> {
                    assertThat(e.error()).isEqualTo(ReplyError.BAD_CURSOR);
                    assertThat(e.getMessage()).isEqualTo("The cursor is not one this server issued.");
                });
    }
}
