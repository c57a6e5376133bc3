package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.litmus.CounterexampleLitmus;
import dev.tlbrace.harness.litmus.LitmusCheck;
import dev.tlbrace.harness.litmus.LitmusReader;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A counterexample exported as a C litmus test ({@link LitmusExport}, {@link CounterexampleLitmus})
 * is one {@code tlbrace litmus} answers Sometimes for, and, found with a barrier weakened by
 * {@code fences}, one that answers Never with the barrier put back, where the skeleton carries the
 * argument: every known bug's {@code lkmm} counterexample from the registry, and every NEEDED row
 * of {@code fences} on every canary and on one race.
 */
class LitmusExportTest {
    private static final int STEPS = 400;

    /**
     * Known bugs whose skeleton this checker cannot enumerate (it offers every read every
     * constant of the test; herd7 solves for values instead): the file is still written, the
     * smallest skeleton, and the test asks only that it reads back. Measured on the 2-core machine.
     */
    static final Map<String, String> TOO_BIG = Map.of(
            "apic-access-reload/range-start-request/zap", "Sometimes in 8 s on the idle machine (2 locations), over the "
                    + "20 s limit of CounterexampleLitmus when the machine is loaded",
            "smmu-stale-readonly/no-upgrade-notify/wp-page-reuse", "no answer in 10 s at 2 locations (the IOPF handler's "
                    + "mmap_lock rwsem, taken and dropped on each of its retries); 5 critical sections at 3",
            "smmu-stale-readonly/no-upgrade-notify/mark-dirty", "as wp-page-reuse",
            "kvm-fault-vs-invalidate/no-retry/cow", "no answer in 10 s at 2 locations; 6 critical sections at 4",
            "kvm-fault-vs-invalidate/seq-only/cow", "as no-retry/cow",
            "hmm-mirror-vs-invalidate/read-retry/zap", "at least 390,625 combinations of read values at 5 locations "
                    + "(the retried walk's reads)",
            "hmm-mirror-vs-invalidate/read-retry/migrate", "at least 78,125 combinations of read values at 5 locations");

    /**
     * Rows of {@code fences} that no skeleton shows Never for with the point put back, with why
     * (measured on the loaded 2-core machine): the skeletons small enough for this checker drop
     * what the argument rests on, or none is small enough. Their files are still written, with
     * their put-back twins, and read back; herd7 may answer the bigger ones.
     */
    static final Map<String, String> NOT_NEVER = Map.of(
            "apic-access-reload/invalidate-range-request: kvm_make_request: smp_mb__before_atomic()",
            "put back, the 3-location skeleton is still Sometimes and the 4-location one had no answer in 20 s; the whole "
                    + "one (13 locations, 5 critical sections) is too big for this checker. Not analysed further",
            "apic-access-reload/invalidate-range-request: free_page: spin_unlock(zone->lock)",
            "every skeleton is too big for this checker (at least 262,144 combinations of read values from 7 locations "
                    + "on): the allocator's lock, weakened, is a word, and every read of the free list counts");

    @BeforeAll
    static void sayWhatIsNotChecked() {
        TOO_BIG.forEach((id, why) -> System.out.printf("LitmusExportTest: %s not checked here: %s%n", id, why));
        NOT_NEVER.forEach((id, why) -> System.out.printf("LitmusExportTest: %s not Never with the point put back: %s%n", id, why));
    }

    private static String answer(String text) throws Exception {
        return LitmusCheck.run(LitmusReader.read("exported.litmus", text), MemoryModels.byId("lkmm")).observed();
    }

    /** Every known bug on every two-actor form of every race and canary, from the registry. */
    static Stream<ProofList.Case> knownBugs() {
        return ProofList.all().filter(c -> c.expectation() == Expectation.KNOWN_BUG);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("knownBugs")
    void aKnownBugsLkmmCounterexampleExportsATestLitmusAnswersSometimesFor(ProofList.Case c) throws Exception {
        Scenario s = c.scenario();
        Explorer.Result r = new Explorer(mem -> s.newRun(c.variant(), mem), Explorer.UNBOUNDED, STEPS, MemoryModel.LKMM, null)
                .maxExecutions(100_000).jobs(2).explore();
        assertThat(r.violated()).as("%s has an lkmm counterexample", c).isTrue();
        Execution e = r.counterexample();
        assertThat(LitmusExport.exportable(e)).as("the printed counterexample carries its accesses").isTrue();
        if (TOO_BIG.containsKey(c.id())) { // written, not checked: it still reads back
            LitmusExport.Skeleton smallest = LitmusExport.skeletons(e).get(0);
            LitmusReader.read("exported.litmus", LitmusExport.write(e, origin(s, c.variant(), e, null), false, smallest));
            return;
        }
        CounterexampleLitmus.Exported x = CounterexampleLitmus.export(e, origin(s, c.variant(), e, null));
        System.out.printf("LitmusExportTest: %s: %s%n", c, x.tried());
        assertThat(x.observed()).as("%s: %s\n%s", c, x.tried(), x.text()).isEqualTo("Sometimes");
        assertThat(answer(x.text())).isEqualTo("Sometimes");
        assertThat(x.text()).contains("Result: Sometimes", "exists (", "--variant " + c.variant().id() + " ");
    }

    /** The canaries' fixes and one race's, each with its fences run. */
    static Stream<Arguments> fencedFixes() {
        Stream<Arguments> canaries = Scenarios.canaries().stream().flatMap(s -> s.variants().stream()
                .filter(v -> v.expectation() == Expectation.FIXED).map(v -> Arguments.of(s.id(), v.id())));
        return Stream.concat(canaries, Stream.of(Arguments.of("apic-access-reload", "invalidate-range-request")));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("fencedFixes")
    void everyNeededRowOfFencesExportsATestThatIsNeverWithItsPointPutBack(String scenario, String variant) throws Exception {
        Scenario s = Scenarios.byId(scenario);
        Variant v = s.variant(variant);
        Fences.Report rep = Fences.run(mem -> s.newRun(v, mem), Explorer.UNBOUNDED, STEPS, 100_000, 0, 2, MemoryModel.LKMM);
        List<Fences.Row> needed = rep.rows().stream().filter(Fences.Row::needed).toList();
        assertThat(needed).as("fences finds a needed ordering point on %s/%s", scenario, variant).isNotEmpty();
        List<String> wrong = new java.util.ArrayList<>();
        for (Fences.Row row : needed) {
            String id = scenario + "/" + variant + ": " + row.point();
            Execution e = row.counterexample();
            assertThat(LitmusExport.weakened(e)).as("%s: the counterexample records its weakened access", id).isTrue();
            CounterexampleLitmus.Exported x = CounterexampleLitmus.export(e, origin(s, v, e, row.point()));
            System.out.printf("LitmusExportTest: %s: %s%n", id, x.tried());
            assertThat(x.restoredText()).as(id).isNotEqualTo(x.text());
            LitmusReader.read("exported.litmus", x.text());
            LitmusReader.read("restored.litmus", x.restoredText());
            if (!x.sometimes() && !NOT_NEVER.containsKey(id)) {
                wrong.add(id + ": " + x.observed() + "\n" + x.text());
            } else if (!NOT_NEVER.containsKey(id) && !"Never".equals(x.restored())) {
                wrong.add(id + " with the point put back: " + x.restored() + " " + x.tried() + "\n" + x.restoredText());
            } else if (NOT_NEVER.containsKey(id) && "Never".equals(x.restored())) {
                wrong.add(id + " is listed in NOT_NEVER but is Never now: drop it from the list");
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theWeakenedBarrierIsACommentAndPutBackItIsCode() {
        Scenario s = Scenarios.byId("publish-canary");
        Variant v = s.variant("wmb-rmb");
        OrderingPoint wmb = new OrderingPoint("publish: payload", "smp_wmb", null);
        Explorer.Result r = new Explorer(mem -> s.newRun(v, mem), Explorer.UNBOUNDED, STEPS, MemoryModel.LKMM, wmb::equals).explore();
        Execution e = r.counterexample();
        String weak = LitmusExport.write(e, origin(s, v, e, wmb), false);
        String back = LitmusExport.write(e, origin(s, v, e, wmb), true);
        assertThat(weak).contains("/* smp_wmb(); */").doesNotContain("\tsmp_wmb();");
        assertThat(back).contains("\tsmp_wmb();").doesNotContain("Result:");
    }

    @Test
    void theExistsClausePinsEveryReadSoAnotherValueIsNever() throws Exception {
        Scenario s = Scenarios.byId("publish-canary");
        Variant v = s.variant("no-wmb");
        Execution e = new Explorer(mem -> s.newRun(v, mem), Explorer.UNBOUNDED, STEPS, MemoryModel.LKMM, null).explore()
                .counterexample();
        String text = LitmusExport.write(e, origin(s, v, e, null), false);
        assertThat(text).contains("exists (1:r0=1 /\\ 1:r1=0)");
        assertThat(answer(text)).isEqualTo("Sometimes");
        // a value no store writes: the clause constrains, it is not a formality
        assertThat(answer(text.replace("1:r1=0)", "1:r1=7)"))).isEqualTo("Never");
    }

    private static LitmusExport.Origin origin(Scenario s, Variant v, Execution e, OrderingPoint weakened) {
        return new LitmusExport.Origin(s.id(), v.id(), s.form().equals(s.baseForm()) ? null : s.form(), "lkmm",
                Schedule.format(e.choices()), weakened);
    }
}
