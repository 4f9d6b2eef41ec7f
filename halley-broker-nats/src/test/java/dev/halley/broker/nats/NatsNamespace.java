package dev.halley.broker.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfo;

/** Removes what one namespace (a test's broker prefix) left in a NATS server: its streams. */
public final class NatsNamespace {
    private NatsNamespace() {
    }

    public static void drop(String uri, String prefix) {
        try (Connection c = Nats.connect(uri)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            for (StreamInfo si : jsm.getStreams(prefix + ".m.>")) {
                jsm.deleteStream(si.getConfiguration().getName());
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not remove the streams of " + prefix, e);
        }
    }
}
