package dev.tlbrace.harness.gate;

import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Grades every expected test against each engine's results: jcstress's (the hardware) and the
 * explorer's (the model). Expectations come from the scenario registry, not from the
 * annotations: jcstress exits 0 when a known bug is not seen and when a selection matched
 * nothing, so the gate checks both itself.
 *
 * <p>A row's verdict combines its engines' cells: red if any engine's cell is red (a fix the
 * model refutes is FAIL_FORBIDDEN even if jcstress saw nothing; a known bug jcstress should see
 * and did not is FAIL_UNDETECTED even if the model finds it); otherwise PASS or DETECTED if any
 * engine passed it (a bug only weakly ordered CPUs show, UNREACHABLE_HERE on x86, is DETECTED
 * when the model finds it); otherwise the first engine's SKIPPED or UNREACHABLE_HERE.
 */
public final class Grader {
    private Grader() { }

    /**
     * One engine's word on one test.
     *
     * @param model  for the explorer, the memory model of its counterexample; else null
     * @param detail one line: what the engine saw
     */
    public record Cell(Engine engine, Grade grade, String model, String detail) {
        /** What the table shows: the grade, and the model that found a counterexample. */
        public String label() {
            return grade + (model == null ? "" : " (" + model + ")");
        }

        /** Whether the engine gave a verdict at all: it ran, and did not skip. */
        boolean ran() {
            return grade != Grade.SKIPPED && grade != Grade.FAIL_MISSING;
        }
    }

    /**
     * One graded row: the combined verdict, jcstress's sample counts (0 without jcstress) and
     * each engine's cell, in {@link Engine} order.
     */
    public record Row(StressTest test, Grade grade, long samples, long bad, String detail, List<Cell> cells) {
        public Row {
            cells = List.copyOf(cells);
        }

        /** A row jcstress alone graded. */
        public Row(StressTest test, Grade grade, long samples, long bad, String detail) {
            this(test, grade, samples, bad, detail, List.of(new Cell(Engine.JCSTRESS, grade, null, detail)));
        }

        /** This engine's cell, or null if it did not grade the row. */
        public Cell cell(Engine e) {
            return cells.stream().filter(c -> c.engine() == e).findFirst().orElse(null);
        }
    }

    /** The rows, the counts of the last line, and the engines that graded them. */
    public record Verdict(List<Row> rows, int passed, int failed, int skipped, Set<Engine> engines) {
        public Verdict(List<Row> rows, int passed, int failed, int skipped) {
            this(rows, passed, failed, skipped, java.util.EnumSet.of(Engine.JCSTRESS));
        }

        /** True if any test ran at all: jcstress took samples, or the model gave a verdict. */
        public boolean anyRan() {
            return rows.stream().anyMatch(r -> r.samples() > 0
                    || r.cells().stream().anyMatch(c -> c.engine() == Engine.EXPLORER && c.ran()));
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
     *            weakly ordered CPUs show ({@link dev.tlbrace.harness.graph.MemoryModel#LKMM}) cannot be seen
     */
    public static Verdict grade(List<StressTest> expected, Map<String, TestOutcomes> results, int cpus, boolean tso) {
        return grade(expected, results, null, cpus, tso);
    }

    /**
     * Grades with every engine that has results: jcstress's outcomes ({@code jcstress}, null if
     * jcstress did not run) and the model's cells by test name ({@code model}, null if the
     * explorer did not run; a test missing from it is FAIL_MISSING there).
     */
    public static Verdict grade(List<StressTest> expected, Map<String, TestOutcomes> jcstress, Map<String, Cell> model,
                                int cpus, boolean tso) {
        if (jcstress == null && model == null) {
            throw new IllegalArgumentException("no engine to grade with");
        }
        Set<Engine> engines = java.util.EnumSet.noneOf(Engine.class);
        if (jcstress != null) {
            engines.add(Engine.JCSTRESS);
        }
        if (model != null) {
            engines.add(Engine.EXPLORER);
        }
        List<Row> rows = new ArrayList<>();
        for (StressTest t : expected) {
            List<Cell> cells = new ArrayList<>();
            Row hw = null;
            if (jcstress != null) {
                hw = gradeOne(t, jcstress.get(t.name()), cpus, tso);
                cells.add(new Cell(Engine.JCSTRESS, hw.grade(), null, hw.detail()));
            }
            if (model != null) {
                Cell m = model.get(t.name());
                cells.add(m != null ? m : new Cell(Engine.EXPLORER, Grade.FAIL_MISSING, null, "expected but the model gave no verdict"));
            }
            Cell overall = combine(cells);
            String detail = cells.size() == 1 ? overall.detail() : overall.engine().id() + ": " + overall.detail();
            rows.add(new Row(t, overall.grade(), hw == null ? 0 : hw.samples(), hw == null ? 0 : hw.bad(), detail, cells));
        }
        int passed = (int) rows.stream().filter(r -> r.grade().passed()).count();
        int failed = (int) rows.stream().filter(r -> r.grade().failed()).count();
        int skipped = (int) rows.stream().filter(r -> r.grade().skipped()).count();
        return new Verdict(rows, passed, failed, skipped, engines);
    }

    /** The row's cell: the first red one, else the first that passed, else the first. */
    static Cell combine(List<Cell> cells) {
        return cells.stream().filter(c -> c.grade().failed()).findFirst()
                .or(() -> cells.stream().filter(c -> c.grade().passed()).findFirst())
                .orElse(cells.get(0));
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
        if (bad == 0 && tso && t.variant().showsUnder() == dev.tlbrace.harness.graph.MemoryModel.LKMM) {
            return new Row(t, Grade.UNREACHABLE_HERE, total, 0, "a reordering only weakly ordered CPUs make; this host is TSO (x86), "
                    + "so " + total + " clean samples prove nothing (the explorer finds it: --memory-model armv8)");
        }
        return bad > 0
                ? new Row(t, Grade.DETECTED, total, bad, badNames + " " + bad + " in " + total + " samples")
                : new Row(t, Grade.FAIL_UNDETECTED, total, 0, "known bug not seen in " + total + " samples: " + counts);
    }
}
