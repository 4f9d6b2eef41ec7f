package dev.halley.core;

/** Where a new subscription starts. */
public sealed interface Resume {
    /** Live only: from the channel's current position on. */
    record Live() implements Resume {
    }

    /** After {@code offset} in one channel; {@code epoch} may be null when the client does not know it. */
    record Since(long offset, String epoch) implements Resume {
    }

    /** From a cursor returned earlier (several channels, wildcards). */
    record From(Cursor cursor) implements Resume {
    }

    Resume LIVE = new Live();
}
