package dev.halley.server.protocol.bayeux;

import dev.halley.core.CloseReason;
import dev.halley.core.ReplyError;
import dev.halley.server.ServerContext;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live Bayeux sessions of this server, bounded by {@code bayeux-max-sessions}, and the
 * browsers' held long-polls.
 *
 * <p><b>Binding.</b> A session is bound to the browser that handshook: its {@code BAYEUX_BROWSER}
 * cookie (set by the HTTP handshake when the request had none), or, for a WebSocket handshake
 * without that cookie, to "no cookie over WebSocket". A message naming the session is honoured
 * only from the same browser; from any other it is refused as if the session did not exist
 * ({@code 402::session_unknown}, counted as {@code forbidden}), so a leaked {@code clientId}
 * alone gives nothing.
 *
 * <p><b>One long-poll per browser.</b> Browsers open at most six HTTP/1.1 connections per host,
 * and every tab of a browser shares them: were each tab's session to hold a {@code /meta/connect},
 * a few tabs would starve the page. As CometD does, only one {@code /meta/connect} per browser is
 * held at a time; the others are answered at once with {@code "multiple-clients": true} and an
 * {@code interval}, and poll.
 */
final class BayeuxSessions {
    /** The protocol label in {@code /metrics}. */
    static final String PROTOCOL = "bayeux";
    /** Held {@code /meta/connect}s one browser may have over HTTP/1.1 (CometD's default). */
    static final int HELD_PER_BROWSER = 1;
    /** The polling interval advised to a browser's other tabs, in milliseconds (CometD's default). */
    static final long MULTI_CLIENT_INTERVAL = 2000;
    /** Longest cookie value taken as a browser id (ours are 22 characters). */
    private static final int MAX_BROWSER_ID = 64;

    private final ServerContext server;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, BayeuxSession> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> heldByBrowser = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    BayeuxSessions(ServerContext server) {
        this.server = server;
    }

    ServerContext server() {
        return server;
    }

    /** A fresh id (128 random bits, base64url): session ids and browser ids alike. */
    String newId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Whether a cookie value can be a browser id (anything else is ignored, and a new one is set). */
    static boolean isBrowserId(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_BROWSER_ID) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** A new session bound to {@code browserId}; null over {@code bayeux-max-sessions}. */
    BayeuxSession open(String browserId, boolean ack) {
        if (count.incrementAndGet() > server.config().bayeuxMaxSessions()) {
            count.decrementAndGet();
            return null;
        }
        BayeuxSession s = new BayeuxSession(this, newId(), browserId, ack);
        byId.put(s.id(), s);
        server.metrics().sessionOpened(PROTOCOL);
        // A client that never connects still ends.
        s.connectEnded(0);
        return s;
    }

    /**
     * The live session {@code clientId} as seen from {@code browserId} (null: a request without the
     * cookie) over {@code webSocket}; null when unknown or bound to another browser.
     */
    BayeuxSession find(String clientId, String browserId, boolean webSocket) {
        BayeuxSession s = clientId == null ? null : byId.get(clientId);
        if (s == null) {
            return null;
        }
        boolean same = browserId != null ? browserId.equals(s.browserId()) : webSocket && s.browserId() == null;
        if (!same) {
            server.metrics().error(ReplyError.FORBIDDEN);
            return null;
        }
        return s;
    }

    /**
     * Takes one of the browser's held long-polls; false when its tabs already hold all of them. A
     * session replacing its own held connect always may.
     */
    boolean takeBrowserSlot(String browserId, boolean replacing) {
        boolean[] granted = {false};
        heldByBrowser.compute(browserId, (b, n) -> {
            int held = n == null ? 0 : n;
            if (replacing || held < HELD_PER_BROWSER) {
                granted[0] = true;
                return held + 1;
            }
            return n;
        });
        return granted[0];
    }

    void releaseBrowserSlot(String browserId) {
        heldByBrowser.computeIfPresent(browserId, (b, n) -> n <= 1 ? null : n - 1);
    }

    /** A session ended: forget it and count why. */
    void ended(BayeuxSession s, SessionEnd why) {
        if (byId.remove(s.id(), s)) {
            count.decrementAndGet();
            server.metrics().sessionEnded(PROTOCOL, why.code());
            if (why == SessionEnd.SLOW) {
                server.metrics().closed(CloseReason.SLOW);
            }
        }
    }

    /** Sessions alive now. */
    int size() {
        return count.get();
    }

    @Override
    public String toString() {
        return "BayeuxSessions[" + count.get() + "/" + server.config().bayeuxMaxSessions() + ", browsers holding="
                + heldByBrowser.size() + "]";
    }
}
