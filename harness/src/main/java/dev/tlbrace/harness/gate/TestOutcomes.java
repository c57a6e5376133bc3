package dev.tlbrace.harness.gate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What jcstress recorded for one test, merged over forks and configurations.
 *
 * @param name     jcstress test name
 * @param status   worst status seen (NORMAL when all ran cleanly)
 * @param counts   samples per outcome id
 * @param actors   actor count from the test config, 0 if unknown
 * @param messages jcstress messages for errors
 */
public record TestOutcomes(String name, String status, Map<String, Long> counts, int actors, List<String> messages) {

    public TestOutcomes {
        counts = new TreeMap<>(counts);
        messages = List.copyOf(messages);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public long count(String outcome) {
        return counts.getOrDefault(outcome, 0L);
    }
}
