package dev.halley.bench;

final class StormScenario {
    private final Bench bench;

    StormScenario(Bench bench) {
        this.bench = bench;
    }

    Result run() {
        throw new UnsupportedOperationException("storm: not built yet");
    }
}
