package dev.tlbrace.harness.gate;

import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Grades every expected test against jcstress's results. Expectations come from the
 * scenario registry, not from the annotations: jcstress exits 0 when a known bug is not seen
 * and when a selection matched nothing, so the gate checks both itself.
 */
public final class Grader {
    private Grader() { }

    /** One graded row. */
    public record Row(StressTest test, Grade grade, long samples, long bad, String detail) { }

    /** The rows and the counts of the last line. */
    public record Verdict(List<Row> rows, int passed, int failed, int skipped) {
        /** True if any test ran at all. */
        public boolean anyRan() {
            return rows.stream().anyMatch(r -> r.samples() > 0);
        }

        /** Green only with no failure and at least one test executed. */
        public boolean green() {
            return failed == 0 && anyRan();
        }

        /** {@code N passed, N failed, N skipped}. */
        public String summary() {
            return passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : "");
        }
    }

    public static Verdict grade(List<StressTest> expected, Map<String, TestOutcomes> results, int cpus) {
        return grade(expected, results, cpus, hostIsTso());
    }

    /**
     * @param tso whether the results come from a TSO machine (x86), where a known bug that only
     *            weakly ordered CPUs show ({@link dev.tlbrace.harness.explore.MemoryModel#LKMM}) cannot be seen
     */
    public static Verdict grade(List<StressTest> expected, Map<String, TestOutcomes> results, int cpus, boolean tso) {
        List<Row> rows = new ArrayList<>();
        for (StressTest t : expected) {
            rows.add(gradeOne(t, results.get(t.name()), cpus, tso));
        }
        int passed = (int) rows.stream().filter(r -> r.grade().passed()).count();
        int failed = (int) rows.stream().filter(r -> r.grade().failed()).count();
        int skipped = (int) rows.stream().filter(r -> r.grade().skipped()).count();
        return new Verdict(rows, passed, failed, skipped);
    }

    /** x86 and x86-64 are TSO: no store-store or load-load reordering in hardware. */
    public static boolean hostIsTso() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.matches("i[3-6]86");
    }

    static Row gradeOne(StressTest t, TestOutcomes o, int cpus, boolean tso) {
        if (o == null) {
            if (t.actors() > cpus && !t.required()) {
                return new Row(t, Grade.SKIPPED, 0, 0, t.actors() + " actors need " + t.actors() + " CPUs; ran on " + cpus);
            }
            String why = t.actors() > cpus
                    ? "required " + t.actors() + "-actor form cannot run on " + cpus + " CPUs"
                    : "expected but in no results: it did not run";
            return new Row(t, Grade.FAIL_MISSING, 0, 0, why);
        }
        if (!"NORMAL".equals(o.status())) {
            String msg = o.messages().isEmpty() ? "" : ": " + o.messages().get(0);
            return new Row(t, Grade.ERROR, o.total(), 0, "jcstress " + o.status() + msg);
        }
        long total = o.total();
        if (total == 0) {
            return new Row(t, Grade.ERROR, 0, 0, "no samples");
        }
        Scenario s = t.scenario();
        Set<String> listed = s.outcomes(t.variant()).stream().map(Scenario.Outcome::id).collect(Collectors.toSet());
        List<String> unlisted = o.counts().keySet().stream().filter(k -> !listed.contains(k)).toList();
        if (!unlisted.isEmpty()) {
            return new Row(t, Grade.FAIL_FORBIDDEN, total, unlisted.stream().mapToLong(o::count).sum(),
                    "verdicts the judge does not list for " + t.variant().id() + ": " + unlisted.stream()
                            .map(k -> k + " x" + o.count(k)).collect(Collectors.joining(", ")));
        }
        long bad = s.badOutcomes().stream().mapToLong(o::count).sum();
        String badNames = String.join("/", s.badOutcomes());
        String counts = o.counts().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        if (t.expectation() == Expectation.FIXED) {
            return bad > 0
                    ? new Row(t, Grade.FAIL_FORBIDDEN, total, bad, badNames + " seen " + bad + " times: " + counts)
                    : new Row(t, Grade.PASS, total, 0, counts);
        }
        if (bad == 0 && tso && t.variant().showsUnder() == dev.tlbrace.harness.explore.MemoryModel.LKMM) {
            return new Row(t, Grade.UNREACHABLE_HERE, total, 0, "a reordering only weakly ordered CPUs make; this host is TSO (x86), "
                    + "so " + total + " clean samples prove nothing (the explorer finds it: --memory-model lkmm)");
        }
        return bad > 0
                ? new Row(t, Grade.DETECTED, total, bad, badNames + " " + bad + " in " + total + " samples")
                : new Row(t, Grade.FAIL_UNDETECTED, total, 0, "known bug not seen in " + total + " samples: " + counts);
    }
}
