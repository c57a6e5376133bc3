package dev.tlbrace.harness.explore;

/**
 * One place where the model asks for ordering: a barrier, an acquire or release, a fully
 * ordered RMW, a lock handoff; named by the kernel function it is in (the role's last trace
 * point), the primitive and the cell ({@code kvm_mmu_invalidate_end: mmu_invalidate_seq++},
 * {@code smp_wmb}, no cell).
 */
public record OrderingPoint(String function, String primitive, String cell) {
    @Override
    public String toString() {
        return (function == null ? "(role start)" : function) + ": " + primitive + (cell == null ? "()" : "(" + cell + ")");
    }
}
