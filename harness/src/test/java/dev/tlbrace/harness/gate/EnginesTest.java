package dev.tlbrace.harness.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two engines side by side: the model's verdict in the gate, its columns, its JUnit XML. */
class EnginesTest {
    @TempDir
    Path tmp;

    /**
     * A toy whose labels lie: {@code claimed-fix} is registered FIXED but takes a page reference
     * as READ_ONCE then WRITE_ONCE (a lost update), {@code claimed-bug} is registered as a known
     * bug but uses an atomic add. Neither is in the registry; the tests build their StressTests.
     */
    static final class Mislabelled implements Scenario {
        static final Variant FIX = new Variant("claimed-fix", "toy", Expectation.FIXED, "READ_ONCE then WRITE_ONCE");
        static final Variant BUG = new Variant("claimed-bug", "toy", Expectation.KNOWN_BUG, "atomic_add");

        @Override public String id() { return "toy-mislabelled"; }

        @Override public String title() { return "toy: two get_page() on one page"; }

        @Override public String invariant() { return "every reference taken is counted"; }

        @Override public String badOutcome() { return "LOST_REFERENCE"; }

        @Override public List<Outcome> outcomes() {
            return List.of(new Outcome("BOTH_COUNTED", false, "both counted"), new Outcome("LOST_REFERENCE", true, "one lost"));
        }

        @Override public List<Variant> variants() { return List.of(FIX, BUG); }

        @Override public List<String> roles() { return List.of("CPU0", "CPU1"); }

        @Override public ScenarioRun newRun(Variant variant, Memory mem) {
            Cell refcount = mem.cell("page->_refcount", 1);
            Runnable getPage = () -> {
                mem.sched.point("get_page");
                if (variant.id().equals(BUG.id())) {
                    mem.atomic_add(refcount, 1);
                } else {
                    long r = mem.READ_ONCE(refcount);
                    mem.sched.point("get_page: write back");
                    mem.WRITE_ONCE(refcount, r + 1);
                }
            };
            return new ScenarioRun() {
                @Override public List<Role> roles() { return List.of(new Role("CPU0", getPage), new Role("CPU1", getPage)); }

                @Override public Verdict judge() {
                    long n = mem.READ_ONCE(refcount);
                    return n == 3 ? new Verdict("BOTH_COUNTED", false, List.of(), "refcount 3")
                            : new Verdict("LOST_REFERENCE", true, List.of(new Violation("refcount", "refcount " + n)), "refcount " + n);
                }
            };
        }

        @Override public Script commitScript() {
            return Script.of().toEnd("CPU0").toEnd("CPU1");
        }
    }

    /**
     * SB+release+acquire as a toy known bug: each CPU {@code smp_store_release()}s its flag, then
     * {@code smp_load_acquire()}s the other's. Both reading 0 is Sometimes under LKMM (release
     * then acquire is not a full barrier there) and Never on arm64 (STLR then LDAR: RCsc).
     */
    static final class StoreBufferingReleaseAcquire implements Scenario {
        static final Variant BUG = new Variant("release-acquire", "toy", Expectation.KNOWN_BUG, "smp_store_release, smp_load_acquire");

        @Override public String id() { return "toy-sb-release-acquire"; }

        @Override public String title() { return "toy: SB+release+acquire"; }

        @Override public String invariant() { return "one CPU sees the other's flag"; }

        @Override public String badOutcome() { return "BOTH_ZERO"; }

        @Override public List<Outcome> outcomes() {
            return List.of(new Outcome("SEEN", false, "one saw the other"), new Outcome("BOTH_ZERO", true, "neither saw the other"));
        }

        @Override public List<Variant> variants() { return List.of(BUG); }

        @Override public List<String> roles() { return List.of("CPU0", "CPU1"); }

        @Override public ScenarioRun newRun(Variant variant, Memory mem) {
            Cell x = mem.cell("x", 0);
            Cell y = mem.cell("y", 0);
            long[] r = new long[2];
            return new ScenarioRun() {
                @Override public List<Role> roles() {
                    return List.of(new Role("CPU0", () -> {
                        mem.smp_store_release(x, 1);
                        r[0] = mem.smp_load_acquire(y);
                    }), new Role("CPU1", () -> {
                        mem.smp_store_release(y, 1);
                        r[1] = mem.smp_load_acquire(x);
                    }));
                }

                @Override public Verdict judge() {
                    return r[0] == 0 && r[1] == 0
                            ? new Verdict("BOTH_ZERO", true, List.of(new Violation("sb", "r0 = r1 = 0")), "r0 = r1 = 0")
                            : new Verdict("SEEN", false, List.of(), "r0 = " + r[0] + ", r1 = " + r[1]);
                }
            };
        }

        @Override public Script commitScript() {
            return Script.of().toEnd("CPU0").toEnd("CPU1");
        }
    }

    private static final Mislabelled TOY = new Mislabelled();
    private static final StressTest TOY_FIX = new StressTest("toy.MislabelledTests.ClaimedFix", TOY, Mislabelled.FIX, "base", 2, true);
    private static final StressTest TOY_BUG = new StressTest("toy.MislabelledTests.ClaimedBug", TOY, Mislabelled.BUG, "base", 2, true);

    private static StressTest test(String id) {
        return StressCatalog.all().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    private static TestOutcomes outcomes(StressTest t, Map<String, Long> counts) {
        return new TestOutcomes(t.name(), "NORMAL", counts, t.actors(), List.of());
    }

    @Test
    void aFixTheModelRefutesTurnsTheGateRedThoughJcstressSawNothing() {
        ExplorerEngine.Result m = ExplorerEngine.check(TOY_FIX);
        assertThat(m.grade()).isEqualTo(Grade.FAIL_FORBIDDEN);
        assertThat(m.cell()).isEqualTo("FAIL_FORBIDDEN (sc)");
        assertThat(m.detail()).contains("the model refutes the fix", "LOST_REFERENCE",
                "tlbrace replay toy-mislabelled --variant claimed-fix --memory-model sc --schedule ");

        Map<String, TestOutcomes> clean = Map.of(TOY_FIX.name(), outcomes(TOY_FIX, Map.of("BOTH_COUNTED", 1_000_000L)));
        Grader.Verdict hwOnly = Grader.grade(List.of(TOY_FIX), clean, 2, true);
        assertThat(hwOnly.green()).as("jcstress alone saw nothing").isTrue();

        Grader.Verdict both = Grader.grade(List.of(TOY_FIX), clean, Map.of(TOY_FIX.name(), m.toCell()), 2, true);
        Grader.Row row = both.rows().get(0);
        assertThat(row.cell(Engine.JCSTRESS).grade()).isEqualTo(Grade.PASS);
        assertThat(row.cell(Engine.EXPLORER).grade()).isEqualTo(Grade.FAIL_FORBIDDEN);
        assertThat(row.grade()).isEqualTo(Grade.FAIL_FORBIDDEN);
        assertThat(row.detail()).startsWith("explorer: the model refutes the fix");
        assertThat(both.green()).isFalse();
        assertThat(both.summary()).isEqualTo("0 passed, 1 failed");
    }

    @Test
    void theExplorerCellNamesTheModelThatFoundTheReordering() {
        // arm64 makes it: found under armv8 first
        ExplorerEngine.Result sb = ExplorerEngine.check(test("entry-barrier-canary/no-barrier"));
        assertThat(sb.cell()).as(sb.detail()).isEqualTo("DETECTED (armv8)");
        assertThat(sb.detail()).contains("--memory-model armv8 --schedule ");
        // only the kernel's model allows it: armv8 finds nothing within the bound, lkmm does
        StressTest toy = new StressTest("toy.SbReleaseAcquire", new StoreBufferingReleaseAcquire(),
                StoreBufferingReleaseAcquire.BUG, "base", 2, true);
        ExplorerEngine.Result lk = ExplorerEngine.check(toy);
        assertThat(lk.cell()).as(lk.detail()).isEqualTo("DETECTED (lkmm)");
        assertThat(lk.detail()).contains("under lkmm", "--memory-model lkmm --schedule ");
    }

    @Test
    void aKnownBugTheModelCannotFindIsRedToo() {
        ExplorerEngine.Result m = ExplorerEngine.check(TOY_BUG);
        assertThat(m.grade()).isEqualTo(Grade.FAIL_UNDETECTED);
        assertThat(m.detail()).contains("sc exhaustive", "lkmm within 2 preemptions plus stale reads");
        Map<String, TestOutcomes> seen = Map.of(TOY_BUG.name(), outcomes(TOY_BUG, Map.of("LOST_REFERENCE", 3L, "BOTH_COUNTED", 9L)));
        Grader.Verdict v = Grader.grade(List.of(TOY_BUG), seen, Map.of(TOY_BUG.name(), m.toCell()), 2, true);
        assertThat(v.rows().get(0).grade()).isEqualTo(Grade.FAIL_UNDETECTED);
        assertThat(v.green()).isFalse();
    }

    @Test
    void onX86TheMessagePassingCanariesAreDetectedByTheModelAndTheGateIsGreen() {
        List<StressTest> canaries = List.of(test("publish-canary/no-wmb"), test("publish-canary/no-rmb"));
        Map<String, TestOutcomes> hw = new LinkedHashMap<>();
        Map<String, Grader.Cell> model = new LinkedHashMap<>();
        for (StressTest t : canaries) {
            hw.put(t.name(), outcomes(t, Map.of("PUBLISHED", 260_000L, "NOT_PUBLISHED", 500L)));
            ExplorerEngine.Result m = ExplorerEngine.check(t);
            assertThat(m.cell()).as(m.detail()).isEqualTo("DETECTED (armv8)");
            model.put(t.name(), m.toCell());
        }
        Grader.Verdict onX86 = Grader.grade(canaries, hw, model, 2, true);
        for (Grader.Row r : onX86.rows()) {
            assertThat(r.cell(Engine.JCSTRESS).grade()).isEqualTo(Grade.UNREACHABLE_HERE);
            assertThat(r.grade()).isEqualTo(Grade.DETECTED);
        }
        assertThat(onX86.green()).isTrue();
        assertThat(onX86.summary()).isEqualTo("2 passed, 0 failed");
        // on arm64 jcstress must see them itself: the model does not excuse the hardware
        Grader.Verdict onArm = Grader.grade(canaries, hw, model, 2, false);
        assertThat(onArm.rows()).allSatisfy(r -> assertThat(r.grade()).isEqualTo(Grade.FAIL_UNDETECTED));
        assertThat(onArm.green()).isFalse();
    }

    @Test
    void theModelGradesEveryTwoActorTestAsTheRegistrySaysAndSkipsWhatItCannotFinish() {
        for (String id : List.of("kvm-fault-vs-invalidate/seq-only/change-protection", "entry-barrier-canary/no-barrier",
                "seqcount-canary/no-retry-check")) {
            assertThat(ExplorerEngine.check(test(id)).grade()).as(id).isEqualTo(Grade.DETECTED);
        }
        for (String id : List.of("kvm-fault-vs-invalidate/seq-retry/change-protection", "publish-canary/wmb-rmb",
                "apic-access-reload/range-start-request/change-protection")) {
            ExplorerEngine.Result r = ExplorerEngine.check(test(id));
            assertThat(r.grade()).as(id + ": " + r.detail()).isEqualTo(Grade.PASS);
            assertThat(r.detail()).contains("sc exhaustive", "lkmm within 2");
        }
        ExplorerEngine.Result threeRoles = ExplorerEngine.check(test("apic-access-reload/range-start-request/two-vcpu"));
        assertThat(threeRoles.cell()).isEqualTo("DETECTED (sc)");
    }

    @Test
    void aJcstressSkipTheModelDecidesIsNoLongerASkip() {
        StressTest extra = test("apic-access-reload/range-start-request/two-vcpu");
        Grader.Verdict v = Grader.grade(List.of(extra), Map.of(), Map.of(extra.name(),
                new Grader.Cell(Engine.EXPLORER, Grade.DETECTED, "sc", "found")), 2, true);
        assertThat(v.rows().get(0).cell(Engine.JCSTRESS).grade()).isEqualTo(Grade.SKIPPED);
        assertThat(v.rows().get(0).grade()).isEqualTo(Grade.DETECTED);
        assertThat(v.green()).as("the model ran: not an empty run").isTrue();
    }

    @Test
    void aTestTheModelGaveNoVerdictIsMissingThere() {
        StressTest fix = test("publish-canary/wmb-rmb");
        Grader.Verdict v = Grader.grade(List.of(fix), Map.of(fix.name(), outcomes(fix, Map.of("PUBLISHED", 5L))), Map.of(), 2, true);
        assertThat(v.rows().get(0).cell(Engine.EXPLORER).grade()).isEqualTo(Grade.FAIL_MISSING);
        assertThat(v.green()).isFalse();
    }

    @Test
    void theTableHasAColumnPerEngineAndTheJunitXmlAPropertyPerEngine() throws Exception {
        StressTest canary = test("publish-canary/no-wmb");
        Map<String, TestOutcomes> hw = Map.of(canary.name(), outcomes(canary, Map.of("PUBLISHED", 260_583L)),
                TOY_FIX.name(), outcomes(TOY_FIX, Map.of("BOTH_COUNTED", 1_000L)));
        Map<String, Grader.Cell> model = Map.of(canary.name(), ExplorerEngine.check(canary).toCell(),
                TOY_FIX.name(), ExplorerEngine.check(TOY_FIX).toCell());
        Grader.Verdict v = Grader.grade(List.of(canary, TOY_FIX), hw, model, 2, true);
        StringWriter sw = new StringWriter();
        GateReport.printTable(v, new PrintWriter(sw, true));
        String table = sw.toString();
        assertThat(table.lines().findFirst().orElseThrow())
                .containsPattern("SCENARIO +VARIANT +FORM +EXPECT +SAMPLES +BAD +JCSTRESS +EXPLORER +VERDICT");
        assertThat(table).containsPattern("publish-canary +no-wmb +base +known bug +260,583 +0 +UNREACHABLE_HERE +DETECTED \\(armv8\\) +DETECTED")
                .containsPattern("toy-mislabelled +claimed-fix +base +fixed +1,000 +0 +PASS +FAIL_FORBIDDEN \\(sc\\) +FAIL_FORBIDDEN")
                .contains("DETECTED publish-canary/no-wmb: jcstress UNREACHABLE_HERE: ", "; explorer DETECTED (armv8): STALE_PAYLOAD")
                .contains(ExplorerEngine.bounds())
                .endsWith("1 passed, 1 failed" + System.lineSeparator());

        Path xml = tmp.resolve("gate.xml");
        GateReport.writeJunitXml(v, xml);
        String x = Files.readString(xml);
        assertThat(x).contains("<testsuite name=\"tlbrace.gate\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">",
                "<property name=\"engines\" value=\"jcstress,explorer\"/>",
                "<property name=\"jcstress\" value=\"UNREACHABLE_HERE: ", "<property name=\"explorer\" value=\"DETECTED (armv8): ",
                "<property name=\"jcstress\" value=\"PASS: ", "<property name=\"explorer\" value=\"FAIL_FORBIDDEN (sc): ",
                "<failure message=\"FAIL_FORBIDDEN: explorer: the model refutes the fix");
        assertThat(x.split("<testcase ", -1)).hasSize(3);
    }

    @Test
    void theModelsVerdictsSurviveTheResultsDirectory() throws Exception {
        StressTest canary = test("publish-canary/no-rmb");
        Map<String, ExplorerEngine.Result> res = ExplorerEngine.checkAll(List.of(canary, TOY_FIX), 2, n -> { });
        Map<String, Grader.Cell> cells = new LinkedHashMap<>();
        res.forEach((k, r) -> cells.put(k, r.toCell()));
        ExplorerEngine.save(tmp, cells);
        Map<String, Grader.Cell> back = ExplorerEngine.load(tmp);
        assertThat(back).containsOnlyKeys(canary.name(), TOY_FIX.name());
        assertThat(back.get(canary.name())).isEqualTo(res.get(canary.name()).toCell());
        assertThat(back.get(TOY_FIX.name())).isEqualTo(res.get(TOY_FIX.name()).toCell());
        // the line the explorer's own process prints for each verdict reads back the same
        String line = "result " + TOY_FIX.name() + " " + res.get(TOY_FIX.name()).grade() + " sc " + res.get(TOY_FIX.name()).detail();
        assertThat(ExplorerEngine.parseLine(line)).isEqualTo(Map.entry(TOY_FIX.name(), res.get(TOY_FIX.name()).toCell()));
        assertThat(ExplorerEngine.parseLine("done 3")).isNull();
        assertThat(ExplorerEngine.load(tmp.resolve("nowhere"))).isNull();
        Files.writeString(tmp.resolve(ExplorerEngine.FILE), "x=NOT_A_GRADE|sc|y\n");
        assertThatThrownBy(() -> ExplorerEngine.load(tmp)).isInstanceOf(GateInputException.class)
                .hasMessageContaining("corrupt explorer results");
    }

    @Test
    void enginesParseAsTheyAreWrittenAndNothingElse() {
        assertThat(Engine.parse("jcstress,explorer")).isEqualTo(EnumSet.allOf(Engine.class));
        assertThat(Engine.parse("explorer")).containsExactly(Engine.EXPLORER);
        assertThat(Engine.format(Engine.parse("explorer,jcstress"))).isEqualTo("jcstress,explorer");
        assertThatThrownBy(() -> Engine.parse("jcstress,herd7")).isInstanceOf(GateInputException.class)
                .hasMessage("unknown engine 'herd7' in --engines jcstress,herd7; valid: jcstress, explorer");
        assertThatThrownBy(() -> Engine.parse("")).isInstanceOf(GateInputException.class);
        assertThatThrownBy(() -> Engine.parse("explorer,explorer")).isInstanceOf(GateInputException.class)
                .hasMessageContaining("named twice");
    }
}
