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

    @Test
    void theDumpLeadsWithTheRoleThatSawItAndTheHistoryOfTheFrameItNames() {
        EventRing inv = new EventRing("Invalidator", 64);
        inv.add(10, "spin_lock(zone->lock)");
        inv.observe("freed pfn", 0x5c);
        inv.add(11, "spin_lock(zone->lock)");
        inv.observe("alloc pfn", 0x5d);
        inv.add(12, "zap_pte_range: ptep_get_and_clear");
        inv.observe("old pte", dev.tlbrace.model.mem.Pte.make(0x5c, dev.tlbrace.model.mem.Pte.PRESENT | dev.tlbrace.model.mem.Pte.WRITE));
        EventRing vcpu = new EventRing("vCPU0", 64);
        vcpu.add(5, "kvm_vcpu_reload_apic_access_page: gfn_to_page failed, VMCS keeps its address");
        vcpu.add(20, "INVARIANT BROKEN HERE: A1");
        vcpu.markBroken();
        String dump = Soak.targetedDump(List.of(inv, vcpu), 0, new dev.tlbrace.model.check.Violation("A1",
                "vcpu0 in guest mode: VMCS APIC_ACCESS_ADDR names pfn 0x5c gen 7 but the frame is now gen 8 (free)"));
        String lead = dump.substring(dump.indexOf("what vCPU0 did before it"), dump.indexOf("pfn 0x5c in every role's ring"));
        assertThat(lead).contains("gfn_to_page failed").contains("INVARIANT BROKEN HERE").doesNotContain("Invalidator");
        String frame = dump.substring(dump.indexOf("pfn 0x5c in every role's ring"), dump.indexOf("last events, every role"));
        assertThat(frame).contains("freed pfn 0x5c").contains("old pte pfn 0x5c").doesNotContain("0x5d");
        assertThat(dump).contains("alloc pfn 0x5d"); // still in the every-role tail
    }
}
