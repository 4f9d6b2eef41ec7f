package dev.halley.core;

/**
 * Notice that history no longer reaches back to where the client left off in {@code channel}
 * (or the channel's epoch changed): what follows for that channel is whatever history still
 * holds, and the client must treat its state as incomplete. On the wire:
 * {@code {"channel":"news","recovered":false}}.
 */
public record Gap(String channel) implements Delivery {
    /** The notice as JSON bytes. */
    public byte[] json() {
        return ("{\"channel\":\"" + channel + "\",\"recovered\":false}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
