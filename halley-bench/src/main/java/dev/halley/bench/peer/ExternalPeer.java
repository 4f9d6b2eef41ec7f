package dev.halley.bench.peer;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * A peer that is an installed program (a Debian package) which the bench runs as a child process
 * with a generated config on free loopback ports: {@link PushpinPeer}, {@link NchanPeer}.
 *
 * <p>Subscribers connect to {@link #address()} with the native transports' paths and a
 * {@code channel} query parameter ({@code /sse}, {@code /stream}, {@code /longpoll}); a message is
 * published with {@code POST} to {@link #publishPath(String)} at {@link #publishAddress()} with the
 * body {@code {"channel":"/x","data":…}}, which every subscriber of the channel receives as it is
 * (its data carrying the publisher's stamp and sequence number), framed in the transport's way.
 * {@link #close()} stops the program and deletes its scratch directory; it is idempotent.
 */
public interface ExternalPeer extends AutoCloseable {

    /**
     * What a run needs of an installed peer.
     *
     * @param historyMessages messages kept per channel (Nchan's {@code nchan_message_buffer_length}, the
     *                        Pushpin origin's history): the run's messages, so a long-poll client that fell
     *                        behind still finds every one, as Halley's clients find them in the channel history
     * @param holdSeconds     long-poll hold (Nchan's {@code nchan_subscriber_timeout}, Pushpin's
     *                        {@code Grip-Timeout}); Halley's is 30 s
     * @param log             the program's output; null: in its scratch directory, deleted at the end
     */
    record Config(int historyMessages, int holdSeconds, Path log) {
        public Config {
            if (historyMessages < 1 || holdSeconds < 1) {
                throw new IllegalArgumentException("historyMessages and holdSeconds must be positive: " + this);
            }
        }
    }

    /** Where subscribers connect. */
    InetSocketAddress address();

    /** Where publishers post. */
    InetSocketAddress publishAddress();

    /** The request target of a publish to {@code channel}. */
    String publishPath(String channel);

    /** The process whose tree (itself and every process it started) is the server to sample. */
    long pid();

    /** How it was started, for the result file: command, versions, settings that matter. */
    Map<String, Object> describe();

    @Override
    void close();
}
