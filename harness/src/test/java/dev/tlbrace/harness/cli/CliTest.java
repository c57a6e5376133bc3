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
}
