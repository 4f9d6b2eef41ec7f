package dev.halley.core;

import static dev.halley.core.CoreFixture.describe;
import static dev.halley.core.CoreFixture.drain;
import static dev.halley.core.CoreFixture.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A channel whose history is lost while a client follows it live starts again at offset 1: the client must be told. */
class FeedEpochChangeTest {

    @Test
    void aNewEpochUnderALiveSubscriptionArrivesAfterAGapNotice() {
        CoreFixture f = new CoreFixture();
        Feed feed = f.feed();
        subscribe(feed, "/e");
        Message before = f.publish("/e");
        f.publish("/e");
        assertThat(describe(drain(feed))).containsExactly("/e@1", "/e@2");

        // History ages out, the channel idles past its expiry and is forgotten: offsets restart in a new epoch.
        f.clock.addAndGet(Duration.ofHours(2).toMillis());
        f.memory.sweep();
        Message after = f.publish("/e");
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        assertThat(after.offset()).isEqualTo(1);

        assertThat(describe(drain(feed))).containsExactly("gap:/e", "/e@1");
        assertThat(feed.cursor().positions().get("/e")).isEqualTo(after.position());
    }
}
