package dev.tlbrace.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CliTest {
    record Result(int code, String out, String err) { }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void listShowsBothScenariosAndAllEightVariants() {
        Result r = run("list");
        assertThat(r.code()).isZero();
        for (String id : new String[] {"range-start-request", "invalidate-range-request", "retry-in-progress",
                "no-upgrade-notify", "notify-on-upgrade", "invalidate-before-response", "btm", "secondary-tlbs-in-flush"}) {
            assertThat(r.out()).contains(id);
        }
        assertThat(r.out()).contains("apic-access-reload", "smmu-stale-readonly", "b1394e745b94", "e649b3f0188f");
    }

    @Test
    void timelineOfTheKnownBugEndsInTheBadOutcome() {
        Result r = run("timeline", "apic-access-reload", "--variant", "range-start-request");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("outcome: STALE_APIC_ACCESS_ADDR", "kvm_vcpu_reload_apic_access_page",
                "zap_pte_range: ptep_get_and_clear");
    }

    @Test
    void timelineOfAFixEndsClean() {
        Result r = run("timeline", "smmu-stale-readonly", "--variant", "secondary-tlbs-in-flush");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("outcome: RETRIED_BOUNDED").doesNotContain("STALE_READ_ONLY_IOTLB");
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        Result unknownVariant = run("timeline", "apic-access-reload", "--variant", "nope");
        assertThat(unknownVariant.code()).isEqualTo(2);
        assertThat(unknownVariant.err().strip().lines()).hasSize(1);
        assertThat(unknownVariant.err()).contains("valid: range-start-request");

        Result unknownScenario = run("timeline", "nope", "--variant", "x");
        assertThat(unknownScenario.code()).isEqualTo(2);
        assertThat(unknownScenario.err()).contains("valid: apic-access-reload, smmu-stale-readonly");

        Result unknownOption = run("list", "--frobnicate");
        assertThat(unknownOption.code()).isEqualTo(2);
        assertThat(unknownOption.err().strip().lines()).hasSize(1);

        assertThat(run("nosuchcommand").code()).isEqualTo(2);
        assertThat(run().code()).isEqualTo(2);
    }

    @Test
    void exploreFindsTheBugAndItsScheduleReplaysToTheSameOutcome() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tlbrace");
        java.nio.file.Path html = dir.resolve("not-yet/apic.html"); // a folder that does not exist yet
        Result r = run("explore", "apic-access-reload", "--variant", "range-start-request", "--html", html.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("counterexample with 1 preemption", "outcome: STALE_APIC_ACCESS_ADDR");
        // the free of the frame the VMCS still names is where A1 breaks, in both renderings
        assertThat(r.out()).containsPattern("free_page.*<== invariant breaks here: frees pfn 0x1 while it is still named: A1");
        assertThat(java.nio.file.Files.readString(html)).contains("class=\"s broken\"", "invariant breaks here: frees pfn 0x1");
        java.nio.file.Files.delete(html);
        java.nio.file.Files.delete(html.getParent());
        java.nio.file.Files.delete(dir);
        String schedule = r.out().lines().filter(l -> l.startsWith("schedule: ")).findFirst().orElseThrow()
                .substring("schedule: ".length());
        Result replay = run("replay", "apic-access-reload", "--variant", "range-start-request", "--schedule", schedule);
        assertThat(replay.code()).isEqualTo(1);
        assertThat(replay.out()).contains("outcome: STALE_APIC_ACCESS_ADDR");
    }

    @Test
    void exploreOfAFixStatesItsBoundAndExitsZero() {
        Result r = run("explore", "smmu-stale-readonly", "--variant", "btm", "--max-preemptions", "1");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("with at most 1 preemptions", "exhaustive within that bound");
    }

    @Test
    void exploreWithoutABoundIsExhaustiveOrSaysNotAndFails() {
        Result r = run("explore", "smmu-stale-readonly", "--variant", "invalidate-before-response");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).containsPattern("exhaustive: \\d+ executions \\(\\d+ pruned\\), no violation");
        Result cut = run("explore", "smmu-stale-readonly", "--variant", "btm", "--memory-model", "sc",
                "--max-executions", "10");
        assertThat(cut.code()).as(cut.out()).isEqualTo(1);
        assertThat(cut.out()).contains("NOT exhaustive: no violation in 10 executions", "--max-executions 10");
        assertThat(run("explore", "smmu-stale-readonly", "--variant", "btm", "--max-executions", "0").code())
                .isEqualTo(2);
        assertThat(run("explore", "smmu-stale-readonly", "--variant", "btm", "--jobs", "0").code()).isEqualTo(2);
    }

    @Test
    void anExhaustiveSearchHasNoLimitUnlessAskedAndSaysWhichStoppedIt() {
        // default flags, lkmm, a fix: exhaustive, exit 0 (the cap that cut proofs short is gone)
        Result r = run("explore", "gpc-refresh-vs-invalidate", "--variant", "refresh-retry", "--memory-model", "lkmm");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("exhaustive: \\d+ executions");
        assertThat(run("explore", "--help").out()).contains("default: no limit").doesNotContain("100000");
        assertThat(run("fences", "--help").out()).contains("default: no limit").doesNotContain("100000");
        // asked for: a time limit stops it, NOT exhaustive, naming the limit
        Result timed = run("explore", "gpc-refresh-vs-invalidate", "--variant", "refresh-retry", "--memory-model", "lkmm",
                "--time-limit", "1ms");
        assertThat(timed.code()).as(timed.out()).isEqualTo(1);
        assertThat(timed.out()).contains("NOT exhaustive", "stopped at --time-limit 1ms", "raise --time-limit");
        assertThat(run("explore", "gpc-refresh-vs-invalidate", "--variant", "refresh-retry", "--time-limit", "soon").code())
                .isEqualTo(2);
        assertThat(run("explore", "gpc-refresh-vs-invalidate", "--variant", "refresh-retry", "--time-limit", "0s").code())
                .isEqualTo(2);
        // not a terminal, no --progress: stderr stays empty
        assertThat(r.err()).doesNotContain("exploring:");
    }

    @Test
    void theProgressLineSaysExecutionsRateAndShareDone() {
        assertThat(SearchProgress.line(new dev.tlbrace.harness.explore.Explorer.Progress(52_311, 0.47), 32_000))
                .isEqualTo("  exploring: 52,311 executions, 1,634/s, ~47% of the tree (estimate), 32 s");
        assertThat(SearchProgress.line(new dev.tlbrace.harness.explore.Explorer.Progress(10, -1), 0))
                .isEqualTo("  exploring: 10 executions, 0/s, 0 s");
        assertThat(SearchProgress.line(new dev.tlbrace.harness.explore.Explorer.Progress(9_000, -1, 12, 40), 3_000))
                .isEqualTo("  exploring: 9,000 executions, 3,000/s, 12 of 40 parts done, 3 s");
    }

    @Test
    void exploreGivesTheSameResultForAnyNumberOfJobs() {
        for (String[] sv : new String[][] {{"smmu-stale-readonly", "invalidate-before-response", "lkmm"},
                {"entry-barrier-canary", "no-barrier", "lkmm"}, {"apic-access-reload", "invalidate-range-request", "sc"}}) {
            String one = withoutTimes(run("explore", sv[0], "--variant", sv[1], "--memory-model", sv[2], "--jobs", "1").out());
            String three = withoutTimes(run("explore", sv[0], "--variant", sv[1], "--memory-model", sv[2], "--jobs", "3").out());
            assertThat(three).as(sv[0] + " / " + sv[1]).isEqualTo(one).containsPattern("exhaustive: \\d+|counterexample");
        }
    }

    private static String withoutTimes(String out) {
        return out.replaceAll("\\d+ ms", "T ms");
    }

    @Test
    void exploreReplayAndSoakRejectBadInput() {
        assertThat(run("explore", "apic-access-reload", "--variant", "btm").code()).isEqualTo(2);
        assertThat(run("explore", "apic-access-reload", "--variant", "retry-in-progress", "--max-preemptions", "9").code())
                .isEqualTo(2);
        Result malformed = run("replay", "apic-access-reload", "--variant", "retry-in-progress", "--schedule", "0:x");
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(malformed.err()).contains("expected ROLE:COUNT");
        Result misfit = run("replay", "apic-access-reload", "--variant", "retry-in-progress", "--schedule", "1:500");
        assertThat(misfit.code()).isEqualTo(2);
        assertThat(misfit.err()).contains("schedule does not fit");
        assertThat(run("soak", "--duration", "ten").code()).isEqualTo(2);
        assertThat(run("soak", "--variant", "btm").code()).isEqualTo(2);
        assertThat(run("soak", "--scenario", "seqcount-canary").code()).isEqualTo(2);
    }

    @Test
    void soakFindsTheKnownBugAndPrintsTheEventsOfEveryRole() {
        Result r = run("soak", "--scenario", "smmu-stale-readonly", "--variant", "no-upgrade-notify",
                "--duration", "20s", "--pages", "32");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("VIOLATION", "LIVELOCK", "last events, every role, in time order",
                "SMMU walker0", "IOPF handler", "CPU");
    }

    @Test
    void soakWithNoScenarioSoaksEveryRaceAndARaceWithoutAWorldInRounds() {
        Result r = run("soak", "--duration", "1s", "--pages", "16");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("kvm-fault-vs-invalidate has no world of its own: rounds",
                "apic-access-reload/retry-in-progress", "kvm-fault-vs-invalidate/seq-retry", "violations 0");
        Result bug = run("soak", "--scenario", "kvm-fault-vs-invalidate", "--variant", "no-retry", "--duration", "20s");
        assertThat(bug.code()).as(bug.out() + bug.err()).isEqualTo(1);
        assertThat(bug.out()).contains("VIOLATION", "STALE_SPTE", "last events, every role, in time order",
                "Invalidator", "vCPU", "begins");
    }

    @Test
    void huntShardsPartitionTheSelectionAndBadShardsAreBadInput() {
        java.util.List<dev.tlbrace.harness.gate.StressTest> all = HuntCommand.select(null);
        java.util.List<String> seen = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            java.util.List<dev.tlbrace.harness.gate.StressTest> part = HuntCommand.shard(all, i + "/4");
            assertThat(part).isNotEmpty().hasSizeBetween(all.size() / 4, all.size() / 4 + 1);
            part.forEach(t -> seen.add(t.name()));
        }
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all.stream().map(t -> t.name()).toList());
        assertThat(HuntCommand.shard(all, null)).isEqualTo(all);
        for (String bad : new String[] {"0/4", "5/4", "2", "a/b", "1/0", "1/999"}) {
            Result r = run("hunt", "--shard", bad, "--results", "target/never");
            assertThat(r.code()).as(bad).isEqualTo(2);
            assertThat(r.err()).as(bad).contains("--shard");
        }
    }

    @Test
    void anUnknownEngineOrProgressStyleIsBadInputInOneLine() {
        Result r = run("hunt", "--engines", "jcstress,herd7", "--results", "target/never");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err().strip()).isEqualTo("tlbrace: unknown engine 'herd7' in --engines jcstress,herd7; valid: jcstress, explorer");
        assertThat(r.out()).isEmpty();
        Result style = run("hunt", "--progress", "fancy", "--results", "target/never");
        assertThat(style.code()).isEqualTo(2);
        assertThat(style.err().strip().lines()).hasSize(1);
        assertThat(style.err()).contains("--progress takes bar, log or auto");
    }

    @Test
    void fencesTakesTheMemoryModelAndRefusesOneItCannotUse() {
        Result arm = run("fences", "publish-canary", "--variant", "kvm-request", "--memory-model", "armv8", "--jobs", "1");
        assertThat(arm.code()).as(arm.out() + arm.err()).isZero();
        assertThat(arm.out()).contains("publish-canary / kvm-request (fixed, ", "), memory model armv8, exhaustive",
                "replay --memory-model armv8 --schedule ").containsPattern("kvm_make_request: smp_wmb\\(\\) +NEEDED: STALE_PAYLOAD");
        Result lkmm = run("fences", "publish-canary", "--variant", "kvm-request", "--jobs", "1");
        assertThat(lkmm.out()).contains("memory model lkmm, exhaustive");
        Result json = run("fences", "publish-canary", "--variant", "wmb-rmb", "--memory-model", "armv8", "--json");
        assertThat(json.out()).contains("\"memoryModel\": \"armv8\"");
        for (String bad : new String[] {"bogus", "sc"}) {
            Result r = run("fences", "publish-canary", "--memory-model", bad);
            assertThat(r.code()).as(bad).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        }
    }

    @Test
    void fencesTakesEitherMethodWithTheSameRowsAndRefusesAnUnknownOne() {
        Result one = run("fences", "publish-canary", "--variant", "wmb-rmb", "--jobs", "1");
        Result per = run("fences", "publish-canary", "--variant", "wmb-rmb", "--jobs", "1", "--method", "per-point");
        assertThat(one.code()).as(one.out() + one.err()).isZero();
        assertThat(per.code()).as(per.out() + per.err()).isZero();
        assertThat(one.out()).containsPattern("2 ordering points, 2 needed, one pass of \\d+ schedules");
        assertThat(per.out()).containsPattern("2 ordering points, 2 needed, baseline \\d+ schedules");
        for (Result r : new Result[] {one, per}) {
            assertThat(r.out()).containsPattern("smp_wmb\\(\\) +NEEDED: STALE_PAYLOAD")
                    .containsPattern("smp_rmb\\(\\) +NEEDED: STALE_PAYLOAD");
        }
        Result bad = run("fences", "publish-canary", "--method", "fast");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err().strip()).isEqualTo("tlbrace: --method: unknown method 'fast'; valid: one-pass, per-point");
    }

    @Test
    void huntWithTheExplorerAloneGradesTheModelAndGateRegradesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path xml = tmp.resolve("gate.xml");
        Result r = run("hunt", "--engines", "explorer", "--race", "^publish-canary/", "--progress", "log",
                "--results", tmp.resolve("hunt").toString(), "--junit-xml", xml.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("engines explorer", "  explorer: 4 tests in ")
                .containsPattern("publish-canary +no-wmb +base +known bug +DETECTED \\(armv8\\) +DETECTED")
                .containsPattern("publish-canary +wmb-rmb +base +fixed +PASS +PASS")
                .doesNotContain("SAMPLES", "jcstress")
                .endsWith("4 passed, 0 failed" + System.lineSeparator());
        assertThat(java.nio.file.Files.readString(xml)).contains("<property name=\"explorer\" value=\"DETECTED (armv8): ");
        Result again = run("gate", tmp.resolve("hunt").toString());
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).containsPattern("publish-canary +no-rmb +base +known bug +DETECTED \\(armv8\\) +DETECTED")
                .contains("4 passed, 0 failed");
    }
}
