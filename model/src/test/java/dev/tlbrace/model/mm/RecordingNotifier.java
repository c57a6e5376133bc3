package dev.tlbrace.model.mm;

import dev.tlbrace.model.mem.Pte;
import java.util.ArrayList;
import java.util.List;

/** Records each callback with the PTE of {@code va} at that moment. */
final class RecordingNotifier implements MmuNotifier {
    final List<String> calls = new ArrayList<>();
    private final MmStruct mm;
    private final int va;

    RecordingNotifier(MmStruct mm, int va) {
        this.mm = mm;
        this.va = va;
    }

    private void rec(String what) {
        calls.add(what + " pte=" + Pte.describe(mm.pgtable.ptepGet(va)) + " live=" + live());
    }

    private String live() {
        long pte = mm.pgtable.ptepGet(va);
        return Pte.present(pte) ? "mapped" : "-";
    }

    @Override public void invalidateRangeStart(MmuNotifierRange range) { rec("start"); }

    @Override public void invalidateRangeEnd(MmuNotifierRange range) { rec("end"); }

    @Override public void invalidateRange(int start, int end) { rec("invalidate_range"); }

    @Override public void archInvalidateSecondaryTlbs(int start, int end) { rec("arch_invalidate_secondary_tlbs"); }
}
