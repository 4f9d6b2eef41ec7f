package dev.halley.bench;

/** {@code java -jar halley-bench.jar SCENARIO [flags]}: runs one benchmark scenario and prints its table. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) {
        System.out.println("halley-bench: scenarios are being built (see docs/benchmarks.md)");
    }
}
