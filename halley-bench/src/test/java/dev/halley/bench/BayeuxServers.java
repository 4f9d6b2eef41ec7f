package dev.halley.bench;

import dev.halley.bench.peer.CometdPeer;
import dev.halley.bench.peer.PeerFlags;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The two Bayeux servers the bench compares, in process for a test class: Halley (with its
 * {@code /cometd} door) and the CometD peer, started before the class and stopped after it.
 */
final class BayeuxServers implements BeforeAllCallback, AfterAllCallback {
    private InProcessServer halley;
    private CometdPeer cometd;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        halley = new InProcessServer();
        cometd = CometdPeer.start(PeerFlags.ephemeral().with("max-threads", "64"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        halley.close();
        cometd.close();
    }

    ServerUnderTest halley() {
        return halley;
    }

    /** The CometD peer as the bench reaches a server it did not start. */
    ServerUnderTest cometd() {
        return ServerUnderTest.remote(cometd.address(), 0);
    }
}
