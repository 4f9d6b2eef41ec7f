package dev.halley.core;

import java.util.List;

/**
 * The answer to a subscribe: whether the resume was whole and which channels have a gap.
 *
 * @param pattern what was subscribed
 * @param recovered true when nothing between the resume point and now is missing
 * @param gaps channels for which history did not reach back
 */
public record SubscribeResult(ChannelPattern pattern, boolean recovered, List<String> gaps) {
}
