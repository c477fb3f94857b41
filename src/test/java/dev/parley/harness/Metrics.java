package dev.parley.harness;

import java.util.HashMap;
import java.util.Map;

/**
 * The samples of a Prometheus text page ({@code /q/metrics}), by {@code name{tags}} (or {@code name} without tags).
 * The value is the field after them: what follows it (a timestamp, an exemplar {@code # {span_id=...} ...}) is
 * ignored.
 */
public final class Metrics {

    private Metrics() {
    }

    public static Map<String, Double> samples(String page) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : page.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            // Label values may hold spaces: the name and tags end at the "} " before the value.
            int tags = line.indexOf('{');
            int end = tags >= 0 && tags < line.indexOf(' ') ? line.indexOf("} ", tags) + 1 : line.indexOf(' ');
            String value = line.substring(end + 1).split(" ")[0];
            samples.put(line.substring(0, end), value.endsWith("Inf")
                    ? (value.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                    : Double.parseDouble(value));
        }
        return samples;
    }
}
