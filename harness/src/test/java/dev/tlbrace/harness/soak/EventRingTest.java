package dev.tlbrace.harness.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventRingTest {
    @Test
    void repeatedSpinsFoldIntoOneEventAndKeepTheRealEventsBeforeThem() {
        EventRing r = new EventRing("SMMU", 4);
        r.add(10, "iopf: page request queued");
        r.observe("va", 3);
        r.add(20, "iopf: handle_mm_fault");
        for (int t = 30; t < 30 + 1000; t++) {
            r.addSpin(t, "PRI: wait for page response");
        }
        r.add(2000, "arm_smmu_cmdq_issue_cmdlist");
        assertThat(r.size()).isEqualTo(4); // 1,000 spins took one slot, not the whole ring
        int spin = r.indexOf(2);
        assertThat(r.label(spin)).isEqualTo("PRI: wait for page response");
        assertThat(r.repeats(spin)).isEqualTo(999);
        assertThat(r.lastTime(spin)).isEqualTo(1029);
        assertThat(r.label(r.indexOf(0))).isEqualTo("iopf: page request queued");
        assertThat(Soak.dump(List.of(r), 0)).contains("PRI: wait for page response (x999 more, until").doesNotContain("x0 more");
        // a spin after a different event starts a new one; a plain point never folds
        r.addSpin(3000, "PRI: wait for page response");
        r.add(3001, "x");
        r.add(3002, "x");
        assertThat(r.label(r.indexOf(1))).isEqualTo("PRI: wait for page response");
        assertThat(r.repeats(r.indexOf(1))).isZero();
        assertThat(r.repeats(r.indexOf(3))).isZero();
    }
}
