package dev.halley.bench.peer;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The shared {@code main} of the peers: parse flags, start, print the ready line the bench waits
 * for, and stop cleanly on SIGTERM (a JVM shutdown hook) or Ctrl-C.
 */
final class PeerMain {

    /** Starts a peer from its flags. */
    @FunctionalInterface
    interface Starter {
        Peer start(PeerFlags flags) throws Exception;
    }

    private PeerMain() {
    }

    /** Runs a peer until the JVM is asked to stop; exits with status 2 on bad flags, 1 if it cannot start. */
    static void run(String name, String[] args, Set<String> options, Starter starter) {
        PeerFlags flags;
        try {
            flags = PeerFlags.parse(args, options);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        Peer peer;
        try {
            peer = starter.start(flags);
        } catch (Exception e) {
            System.err.println(name + ": cannot start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            peer.close();
            stopped.countDown();
        }, name + "-shutdown"));
        System.out.println(readyLine(peer.address()));
        System.out.flush();
        awaitUninterruptibly(stopped);
    }

    /** The one line the bench waits for on a peer's stdout. */
    static String readyLine(InetSocketAddress address) {
        return "listening on " + address.getHostString() + ":" + address.getPort();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // Only the shutdown hook ends the main thread's wait.
            }
        }
    }
}
