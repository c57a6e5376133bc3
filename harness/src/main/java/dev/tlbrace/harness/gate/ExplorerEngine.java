package dev.tlbrace.harness.gate;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.Explorer;
import dev.tlbrace.harness.explore.Schedule;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The model's verdict on a test: the explorer over the scenario's model on the test's form,
 * through the {@link Explorer} API alone. The searches, in order:
 * <ol>
 *   <li>{@code sc}: exhaustive up to equivalence (partial-order reduced), at most
 *       {@link #SC_EXECUTIONS} executions: every interleaving. A fix it cannot finish is an ERROR.</li>
 *   <li>a known bug {@code sc} did not find (the canaries, whose bugs are reorderings):
 *       {@code armv8}, then {@code lkmm}, each bounded at {@link #LKMM_BOUND} preemptions plus
 *       stale reads per schedule. The cell names the first that finds it: {@code DETECTED (armv8)}
 *       is a reordering arm64 hardware makes, {@code DETECTED (lkmm)} one only the kernel's model
 *       allows (which no arm64 can show, so jcstress there cannot either).</li>
 *   <li>a fix: {@code lkmm}, bounded the same, as before. Not {@code armv8} as well: every
 *       {@code armv8} execution of these graphs is an {@code lkmm} one ({@code OracleAgreementTest}
 *       pins the inclusion), so within the same bound it cannot find what {@code lkmm} did not;
 *       scripts/armv8-proofs.sh proves every fix under {@code armv8} exhaustively.</li>
 * </ol>
 * A known bug is DETECTED by a counterexample in any; a fix is PASS only if none finds one,
 * and FAIL_FORBIDDEN, whatever the hardware saw, if one does. The grade never depends on the
 * host: the model answers the same on x86 and arm64.
 *
 * <p>The forms with more actors ({@code two-vcpu}) are searched under {@code sc} alone, at most
 * {@link #EXTRA_SC_EXECUTIONS} executions: a known bug there is found in a few hundred, but a
 * fix's three roles outgrow any budget the gate can afford (README "What the exhaustive search
 * costs"), so an unfinished search there is SKIPPED, as jcstress skips them on 2 CPUs.
 */
public final class ExplorerEngine {
    private ExplorerEngine() { }

    /** Steps per schedule before it counts as cut short (explore's default). */
    public static final int STEPS = 400;
    /** The exhaustive sc search's execution limit: the largest fix today needs a few thousand. */
    public static final long SC_EXECUTIONS = 30_000;
    /**
     * The armv8 and lkmm searches' bound on preemptions plus stale reads per schedule. A known
     * bug only weak memory shows that this bound misses is searched again with none (at most
     * {@link #SC_EXECUTIONS}); the fixes' unbounded lkmm proofs are LkmmProofTest's, every fix
     * of the registry on every two-actor form.
     */
    public static final int LKMM_BOUND = 2;
    /** The sc search's execution limit on the forms with more than two actors. */
    public static final long EXTRA_SC_EXECUTIONS = 2_000;

    /** One line for the report: what the two searches cover. */
    public static String bounds() {
        return "explorer: sc exhaustive (partial-order reduced, at most " + String.format("%,d", SC_EXECUTIONS)
                + " executions of " + STEPS + " steps); then, bounded at " + LKMM_BOUND
                + " preemptions plus stale reads per schedule, lkmm for a fix, armv8 and then lkmm for a known bug"
                + " sc does not show; forms of 3+ actors: sc alone, at most "
                + String.format("%,d", EXTRA_SC_EXECUTIONS) + " executions";
    }

    /**
     * The model's verdict on one test.
     *
     * @param grade      PASS, DETECTED, FAIL_FORBIDDEN, FAIL_UNDETECTED or ERROR
     * @param model      the memory model of the counterexample, or null if none was found
     * @param detail     one line: what was searched and found, with a replay command for a counterexample
     * @param executions schedules run, both searches together
     * @param millis     time taken
     */
    public record Result(Grade grade, MemoryModel model, String detail, long executions, long millis) {
        /** The cell the report shows: the grade, and the model that found a counterexample. */
        public String cell() {
            return toCell().label();
        }

        /** The gate's cell for the explorer column. */
        public Grader.Cell toCell() {
            return new Grader.Cell(Engine.EXPLORER, grade, model == null ? null : model.id(), detail);
        }
    }

    /** The model's verdict on {@code t}; an exception in the explorer is an ERROR, not a crash of the gate. */
    public static Result check(StressTest t) {
        long start = System.nanoTime();
        try {
            return check(t, start);
        } catch (RuntimeException | StackOverflowError e) {
            return new Result(Grade.ERROR, null, "the explorer failed: " + e, 0, millis(start));
        }
    }

    private static Result check(StressTest t, long start) {
        Scenario s = t.scenario();
        Variant v = t.variant();
        boolean fixed = t.expectation() == Expectation.FIXED;
        long budget = t.actors() > 2 ? EXTRA_SC_EXECUTIONS : SC_EXECUTIONS;
        Explorer.Result sc = new Explorer(mem -> s.newRun(v, mem), Explorer.UNBOUNDED, STEPS, MemoryModel.SC, null)
                .maxExecutions(budget).explore();
        if (sc.violated()) {
            return counterexample(t, sc, MemoryModel.SC, sc.schedules(), start);
        }
        String scWords = sc.exhaustive()
                ? String.format("sc exhaustive (%,d executions)", sc.schedules())
                : String.format("sc NOT exhaustive (%,d executions, %s)", sc.schedules(), sc.truncated()
                        ? "stopped at " + String.format("%,d", budget)
                        : sc.stepBoundHits() + " hit the step bound, " + sc.errors() + " ended in an error");
        if (t.actors() > 2) {
            return sc.exhaustive() && fixed
                    ? new Result(Grade.PASS, null, "no counterexample: " + scWords, sc.schedules(), millis(start))
                    : new Result(Grade.SKIPPED, null, t.actors() + " roles, searched under sc alone: no counterexample, "
                            + scWords + "; tlbrace explore " + s.id() + " --variant " + v.id() + " --form " + t.form()
                            + " searches further", sc.schedules(), millis(start));
        }
        if (fixed && !sc.exhaustive()) {
            return new Result(Grade.ERROR, null, "no counterexample, but " + scWords + ": the fix is not proved",
                    sc.schedules(), millis(start));
        }
        long runs = sc.schedules();
        String armWords = null;
        if (!fixed) { // a reordering arm64 makes, or only the kernel's model allows? arm64 first: armv8 is within lkmm
            Explorer.Result arm = bounded(s, v, MemoryModel.ARMV8);
            runs += arm.schedules();
            if (arm.violated()) {
                return counterexample(t, arm, MemoryModel.ARMV8, runs, start);
            }
            armWords = boundedWords(MemoryModel.ARMV8, arm);
        }
        Explorer.Result lk = bounded(s, v, MemoryModel.LKMM);
        runs += lk.schedules();
        if (lk.violated()) {
            return counterexample(t, lk, MemoryModel.LKMM, runs, start);
        }
        String lkWords = (armWords == null ? "" : armWords + ", ") + boundedWords(MemoryModel.LKMM, lk);
        if (fixed) {
            return lk.exhaustive()
                    ? new Result(Grade.PASS, null, "no counterexample: " + scWords + ", " + lkWords, runs, millis(start))
                    : new Result(Grade.ERROR, null, "no counterexample, but the bounded search was cut short: " + lkWords,
                            runs, millis(start));
        }
        if (v.showsUnder() != MemoryModel.SC) {
            // a bug only weak memory shows may need more than LKMM_BOUND preemptions plus stale reads
            // (the documented HMM protocol on zap: 3): search it with no bound, as far as sc may go
            Explorer.Result deep = new Explorer(mem -> s.newRun(v, mem), Explorer.UNBOUNDED, STEPS, MemoryModel.LKMM, null)
                    .maxExecutions(SC_EXECUTIONS).explore();
            runs += deep.schedules();
            if (deep.violated()) {
                return counterexample(t, deep, MemoryModel.LKMM, runs, start);
            }
            lkWords += String.format(", lkmm with no bound %s (%,d executions)", deep.exhaustive() ? "exhaustive"
                    : "NOT exhaustive", deep.schedules());
        }
        return new Result(Grade.FAIL_UNDETECTED, null, "known bug not found by the model: " + scWords + ", " + lkWords,
                runs, millis(start));
    }

    private static Explorer.Result bounded(Scenario s, Variant v, MemoryModel model) {
        return new Explorer(mem -> s.newRun(v, mem), LKMM_BOUND, STEPS, model, null).explore();
    }

    private static String boundedWords(MemoryModel model, Explorer.Result r) {
        return String.format("%s within %d preemptions plus stale reads (%,d schedules%s)", model.id(), LKMM_BOUND,
                r.schedules(), r.exhaustive() ? ""
                        : ", " + r.stepBoundHits() + " hit the step bound, " + r.errors() + " ended in an error");
    }

    private static Result counterexample(StressTest t, Explorer.Result r, MemoryModel model, long runs, long start) {
        Execution e = r.counterexample();
        Scenario s = t.scenario();
        String outcome = e.status() == Execution.Status.COMPLETED ? e.verdict().outcome() : e.status().name();
        String replay = "tlbrace replay " + s.id() + " --variant " + t.variant().id()
                + (t.form().equals(s.baseForm()) ? "" : " --form " + t.form()) + " --memory-model " + model.id()
                + " --schedule " + Schedule.format(e.choices());
        String found = String.format("%s under %s, %d preemption%s and %d stale read%s, after %,d schedules; %s",
                outcome, model.id(), e.preemptions(), e.preemptions() == 1 ? "" : "s", e.staleReads(),
                e.staleReads() == 1 ? "" : "s", runs, replay);
        if (t.expectation() == Expectation.FIXED) {
            return new Result(Grade.FAIL_FORBIDDEN, model, "the model refutes the fix: " + found, runs, millis(start));
        }
        if (e.bad() && s.badOutcomes().contains(outcome)) {
            return new Result(Grade.DETECTED, model, found, runs, millis(start));
        }
        return new Result(Grade.ERROR, model, "the model ends in " + outcome + ", not the bug: " + found, runs, millis(start));
    }

    /**
     * Every test's verdict, keyed by jcstress name in the order given, {@code threads} tests at a
     * time; {@code done} hears the count after each. The verdicts do not depend on the threads.
     */
    public static Map<String, Result> checkAll(List<StressTest> tests, int threads, IntConsumer done) {
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        return checkAll(tests, threads, (t, r) -> done.accept(count.incrementAndGet()));
    }

    /** As {@link #checkAll(List, int, IntConsumer)}, {@code each} hearing every test's verdict as it comes. */
    public static Map<String, Result> checkAll(List<StressTest> tests, int threads,
                                               java.util.function.BiConsumer<StressTest, Result> each) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread th = new Thread(r, "tlbrace-model");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (StressTest t : tests) {
                futures.add(pool.submit(() -> {
                    Result r = check(t);
                    each.accept(t, r);
                    return r;
                }));
            }
            Map<String, Result> out = new LinkedHashMap<>();
            for (int i = 0; i < tests.size(); i++) {
                out.put(tests.get(i).name(), futures.get(i).get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The explorer as a process of its own, for {@code hunt} to run beside jcstress at the lowest
     * CPU priority: {@code ExplorerEngine THREADS NAME...} grades the named tests and prints each
     * verdict as it comes, one line: {@code result NAME GRADE MODEL|- DETAIL} ({@link #parseLine}).
     * Exit 0 when all are printed, 2 on bad arguments.
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ExplorerEngine THREADS TEST_NAME...");
            System.exit(2);
        }
        java.util.Set<String> names = new java.util.LinkedHashSet<>(java.util.Arrays.asList(args).subList(1, args.length));
        List<StressTest> tests = StressCatalog.all().stream().filter(t -> names.contains(t.name())).toList();
        if (tests.size() != names.size()) {
            System.err.println("ExplorerEngine: unknown test names among " + names);
            System.exit(2);
        }
        java.io.PrintStream out = System.out;
        checkAll(tests, Integer.parseInt(args[0]), (t, r) -> {
            synchronized (out) {
                out.println("result " + t.name() + " " + r.grade() + " " + (r.model() == null ? "-" : r.model().id()) + " "
                        + r.detail().replace('\n', ' '));
                out.flush();
            }
        });
        System.exit(0);
    }

    /** The test name and cell of a {@code result} line {@link #main} printed, or null for any other line. */
    public static Map.Entry<String, Grader.Cell> parseLine(String line) {
        String[] f = line.split(" ", 5);
        if (f.length < 5 || !f[0].equals("result")) {
            return null;
        }
        try {
            return Map.entry(f[1], new Grader.Cell(Engine.EXPLORER, Grade.valueOf(f[2]), f[3].equals("-") ? null : f[3], f[4]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Where hunt keeps the model's verdicts beside jcstress's results, for {@code tlbrace gate}. */
    public static final String FILE = "tlbrace-explorer.properties";

    /** Writes the verdicts to {@code dir/}{@value #FILE}: {@code name=GRADE|model|detail}. */
    public static void save(java.nio.file.Path dir, Map<String, Grader.Cell> results) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        results.forEach((name, c) -> p.setProperty(name, c.grade() + "|" + (c.model() == null ? "" : c.model()) + "|"
                + c.detail()));
        try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(dir.resolve(FILE),
                java.nio.charset.StandardCharsets.UTF_8)) {
            p.store(w, "tlbrace hunt: the explorer's verdicts. " + bounds());
        }
    }

    /** The verdicts {@link #save} wrote in {@code dir} as the gate's cells, or null if it holds none. */
    public static Map<String, Grader.Cell> load(java.nio.file.Path dir) {
        java.nio.file.Path f = dir.resolve(FILE);
        if (!java.nio.file.Files.isRegularFile(f)) {
            return null;
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = java.nio.file.Files.newBufferedReader(f, java.nio.charset.StandardCharsets.UTF_8)) {
            p.load(r);
            Map<String, Grader.Cell> out = new java.util.TreeMap<>();
            for (String name : p.stringPropertyNames()) {
                String[] v = p.getProperty(name).split("\\|", 3);
                out.put(name, new Grader.Cell(Engine.EXPLORER, Grade.valueOf(v[0]), v[1].isEmpty() ? null : v[1], v[2]));
            }
            return out;
        } catch (java.io.IOException | RuntimeException e) {
            throw new GateInputException("corrupt explorer results " + f + ": " + e);
        }
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
