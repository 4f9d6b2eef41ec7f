package dev.halley.bench;

import java.util.List;
import java.util.Map;

/** Everything one scenario run produced, as written to the JSON result file. */
public record Result(String scenario, String startedAt, Map<String, String> flags, Map<String, Object> generator,
        Map<String, Object> server, List<Row> rows, List<String> notes) {
}
