package dev.halley.server.alltransports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.halley.server.ConfigKey;
import dev.halley.server.testing.HalleyServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared transport behaviour over Java NIO (the fallback where epoll is unavailable). */
class AllTransportsNioTest extends AllTransportsContract {
    @RegisterExtension
    static HalleyServerExtension server = new HalleyServerExtension(c -> c
            .with(ConfigKey.TRANSPORT, "nio")
            .with(ConfigKey.HISTORY_SIZE, "2000")
            .with(ConfigKey.OUTBOUND_MAX_MESSAGES, "5000"));

    @Override
    HalleyServerExtension server() {
        return server;
    }

    @Test
    void runsOnNio() {
        assertThat(server.server().ioTransport()).isEqualTo("nio");
    }
}
