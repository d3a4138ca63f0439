package org.backprop.spark.examples;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code key=value} program arguments, as spark-submit passes them after the jar. */
record Args(Map<String, String> values) {
    static Args parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("argument '" + a + "' is not of the form key=value");
            m.put(a.substring(0, eq).replaceFirst("^--", ""), a.substring(eq + 1));
        }
        return new Args(m);
    }

    String get(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }
}
