package dev.halley.server.transport;

import dev.halley.core.ChannelPattern;
import dev.halley.core.Cursor;
import dev.halley.core.Epochs;
import dev.halley.core.Feed;
import dev.halley.core.HalleyException;
import dev.halley.core.ReplyError;
import dev.halley.core.Resume;
import dev.halley.core.SubscribeResult;
import dev.halley.server.ServerContext;
import dev.halley.server.http.HttpExchange;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The subscription part of an HTTP transport request, validated at the edge: the channels
 * ({@code channel=}, repeatable), where to resume ({@code since=} with optional {@code epoch=}
 * for one channel, or {@code cursor=}), checked against the channel policy.
 *
 * @param patterns the channels and wildcard patterns, in request order, without duplicates
 * @param resume where each starts
 */
public record SubscribeParams(List<ChannelPattern> patterns, Resume resume) {

    /** Reads and checks the query of {@code ex}; {@code cursorOverride} (e.g. SSE Last-Event-ID) wins over {@code cursor=}. */
    public static SubscribeParams from(HttpExchange ex, String cursorOverride) {
        ServerContext server = ex.server();
        List<String> names = ex.params("channel");
        if (names.isEmpty()) {
            throw new HalleyException(ReplyError.BAD_CHANNEL, "At least one channel= parameter is required.");
        }
        int max = server.config().maxSubscriptions();
        if (names.size() > max) {
            throw new HalleyException(ReplyError.TOO_MANY, "At most " + max + " channels per request.");
        }
        LinkedHashSet<ChannelPattern> patterns = new LinkedHashSet<>();
        for (String n : names) {
            ChannelPattern p = ChannelPattern.parse(n);
            if (!server.config().policy().maySubscribe(p)) {
                throw new HalleyException(ReplyError.FORBIDDEN, "Clients may not subscribe to " + n + ".");
            }
            patterns.add(p);
        }
        String cursor = cursorOverride != null && !cursorOverride.isEmpty() ? cursorOverride : ex.param("cursor");
        String since = ex.param("since");
        Resume resume = Resume.LIVE;
        if (cursor != null && !cursor.isEmpty()) {
            resume = new Resume.From(Cursor.decode(cursor));
        } else if (since != null) {
            if (patterns.size() != 1) {
                throw new HalleyException(ReplyError.BAD_CURSOR, "since= applies to one channel; use cursor= for several.");
            }
            resume = new Resume.Since(parseOffset(since), parseEpoch(ex.param("epoch")));
        }
        return new SubscribeParams(List.copyOf(patterns), resume);
    }

    static long parseOffset(String since) {
        try {
            long v = Long.parseLong(since);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new HalleyException(ReplyError.BAD_CURSOR, "since= must be an offset: a whole number >= 0.");
        }
    }

    static String parseEpoch(String epoch) {
        if (epoch == null || epoch.isEmpty()) {
            return null;
        }
        if (!Epochs.isValid(epoch)) {
            throw new HalleyException(ReplyError.BAD_CURSOR, "epoch= is not a valid epoch.");
        }
        return epoch;
    }

    /**
     * Subscribes {@code feed} to every pattern; the returned future completes on {@code loop}
     * with the results in request order, or with the first failure.
     */
    public CompletableFuture<List<SubscribeResult>> subscribeAll(Feed feed, EventExecutor loop) {
        List<CompletableFuture<SubscribeResult>> parts = new ArrayList<>(patterns.size());
        for (ChannelPattern p : patterns) {
            parts.add(feed.subscribe(p, resume).toCompletableFuture());
        }
        CompletableFuture<List<SubscribeResult>> out = new CompletableFuture<>();
        CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((v, failure) -> {
            Runnable complete = () -> {
                if (failure != null) {
                    out.completeExceptionally(HalleyException.of(failure));
                } else {
                    out.complete(parts.stream().map(CompletableFuture::join).toList());
                }
            };
            // The embedded broker answers at once, on the loop itself: no need for another task.
            if (loop.inEventLoop()) {
                complete.run();
            } else {
                loop.execute(complete);
            }
        });
        return out;
    }

    /** Channels with a gap across the results. */
    public static List<String> gaps(List<SubscribeResult> results) {
        List<String> gaps = new ArrayList<>();
        for (SubscribeResult r : results) {
            gaps.addAll(r.gaps());
        }
        return gaps;
    }
}
