package dev.halley.core;

/** What a {@link Feed} hands its door, in order: a {@link Message} or a {@link Gap} notice. */
public sealed interface Delivery permits Message, Gap {
}
