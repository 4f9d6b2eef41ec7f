package dev.halley.browser;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One isolated browser profile (a Playwright context): its tabs share cookies, localStorage and
 * cache with each other and with nothing else. Closed with the browser at the end of the class.
 */
public final class Profile {
    private final Chromium chromium;
    private final long id;

    Profile(Chromium chromium, long id) {
        this.chromium = chromium;
        this.id = id;
    }

    /** Opens a new tab on {@code url} and waits for its load event. */
    public BrowserPage open(URI url) {
        Map<String, Object> args = new HashMap<>();
        args.put("context", id);
        args.put("url", url.toString());
        long page = chromium.call("open", args, Chromium.DEFAULT_DEADLINE).asLong();
        return new BrowserPage(chromium, page, url);
    }

    /** Closes every tab of this profile and forgets its storage. */
    public void close() {
        chromium.call("closeContext", Map.of("context", id), Chromium.DEFAULT_DEADLINE);
    }

    @Override
    public String toString() {
        return "Profile[" + id + "]";
    }
}
