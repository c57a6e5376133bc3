package dev.tlbrace.model.kvm;

/**
 * struct kvm_memory_slot: guest frames [baseGfn, baseGfn + npages) backed by host virtual
 * pages from {@code userspaceAddr} (page indexes in the mm's page table).
 */
public record Memslot(int id, long baseGfn, int npages, int userspaceAddr) {

    /** __gfn_to_hva_memslot(). */
    public int gfnToHva(long gfn) {
        if (gfn < baseGfn || gfn >= baseGfn + npages) {
            throw new IllegalArgumentException("gfn 0x" + Long.toHexString(gfn) + " outside memslot " + id);
        }
        return userspaceAddr + (int) (gfn - baseGfn);
    }

    public boolean containsGfn(long gfn) {
        return gfn >= baseGfn && gfn < baseGfn + npages;
    }

    /** hva_to_gfn_memslot() of the first page of [start, end) inside the slot, clamped. */
    public long hvaToGfn(int hva) {
        return baseGfn + (hva - userspaceAddr);
    }

    public boolean overlapsHva(int start, int end) {
        return start < userspaceAddr + npages && userspaceAddr < end;
    }
}
