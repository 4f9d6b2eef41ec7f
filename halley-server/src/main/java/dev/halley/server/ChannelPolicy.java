package dev.halley.server;

import dev.halley.core.ChannelPattern;
import java.util.List;

/**
 * Who may subscribe and publish where, per channel namespace. Rules are tried in order; the
 * first whose pattern covers the channel decides. {@code /meta/**} and {@code /service/**} are
 * never open to clients' native subscribe or publish. With no rules (the development default)
 * every other channel is open. Back ends publishing through {@code /api/publish} are not bound
 * by these rules.
 */
public record ChannelPolicy(List<Rule> rules) {

    /** Anything goes but the reserved namespaces. */
    public static final ChannelPolicy OPEN = new ChannelPolicy(List.of());

    private static final List<ChannelPattern> RESERVED = List.of(ChannelPattern.parse("/meta/**"), ChannelPattern.parse("/service/**"));

    public ChannelPolicy {
        rules = List.copyOf(rules);
    }

    /**
     * One namespace rule.
     *
     * @param pattern the channels it covers ({@code /private/**}, {@code /news}, …)
     * @param subscribe whether clients may subscribe
     * @param publish whether clients may publish
     */
    public record Rule(ChannelPattern pattern, boolean subscribe, boolean publish) {
    }

    /** Whether a client may subscribe to {@code pattern} (a wildcard is judged by its base). */
    public boolean maySubscribe(ChannelPattern pattern) {
        String probe = pattern.isWildcard() ? pattern.base() + "x" : pattern.base();
        if (reserved(probe)) {
            return false;
        }
        Rule r = ruleFor(probe);
        return r == null || r.subscribe();
    }

    /** Whether a client may publish to the concrete channel {@code channel}. */
    public boolean mayPublish(String channel) {
        if (reserved(channel)) {
            return false;
        }
        Rule r = ruleFor(channel);
        return r == null || r.publish();
    }

    private static boolean reserved(String channel) {
        for (ChannelPattern p : RESERVED) {
            if (p.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    private Rule ruleFor(String channel) {
        for (Rule r : rules) {
            if (r.pattern().matches(channel)) {
                return r;
            }
        }
        return null;
    }
}
