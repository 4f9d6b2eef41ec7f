package dev.halley.bench;

final class IdleScenario {
    private final Bench bench;

    IdleScenario(Bench bench) {
        this.bench = bench;
    }

    Result run() {
        throw new UnsupportedOperationException("idle: not built yet");
    }
}
