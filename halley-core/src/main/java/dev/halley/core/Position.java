package dev.halley.core;

/**
 * A place in one channel: the last offset seen, within an epoch. An {@code (epoch, offset)}
 * pair never names two different messages.
 */
public record Position(String epoch, long offset) {
}
