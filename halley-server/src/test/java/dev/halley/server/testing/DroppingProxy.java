package dev.halley.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of a server that can lose one answer the way a network does: armed with
 * {@link #dropNext(String)}, the first bytes from the server that contain the marker are not
 * passed on, and that connection is cut at both ends. Everything else flows through unchanged.
 * One thread pair per connection; for tests with a handful of clients.
 */
public final class DroppingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final AtomicReference<String> dropMarker = new AtomicReference<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch dropped = new CountDownLatch(1);

    public DroppingProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "dropping-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The next server bytes containing {@code marker} (ASCII) are lost and their connection cut. */
    public void dropNext(String marker) {
        dropped = new CountDownLatch(1);
        dropMarker.set(marker);
    }

    /** Waits until the armed drop happened. */
    public boolean awaitDropped(long timeout, TimeUnit unit) throws InterruptedException {
        return dropped.await(timeout, unit);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (fromServer && shouldDrop(buf, n)) {
                        cut(from, to);
                        dropped.countDown();
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away: the other follows.
            }
            cut(from, to);
        }, "dropping-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private boolean shouldDrop(byte[] buf, int n) {
        String marker = dropMarker.get();
        if (marker == null || !new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(marker)) {
            return false;
        }
        return dropMarker.compareAndSet(marker, null);
    }

    private static void cut(Socket a, Socket b) {
        closeQuietly(a);
        closeQuietly(b);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(DroppingProxy::closeQuietly);
    }
}
