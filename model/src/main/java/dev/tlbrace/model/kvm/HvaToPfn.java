package dev.tlbrace.model.kvm;

import dev.tlbrace.model.mm.Fault;
import dev.tlbrace.model.mm.GupFast;
import dev.tlbrace.model.mm.MmStruct;

/**
 * hva_to_pfn() (virt/kvm/kvm_main.c): how every KVM path in the model turns a host address into a
 * page (the stage-2 fault's __kvm_faultin_pfn(), the pfn cache's hva_to_pfn_retry(), the APIC-access
 * page's gfn_to_page() and vmx_set_apic_access_page_addr()). It tries hva_to_pfn_fast() first, which
 * is {@link GupFast#getUserPageFastOnly}: no mmap_lock, no PTL. Only when that fails does
 * hva_to_pfn_slow() take mmap_lock through get_user_pages_unlocked(). Checked against kvm_main.c
 * after the v6.13 kvm_follow_pfn rework (hva_to_pfn_fast() with {@code kfp->pin},
 * kvm_resolve_pfn()); the order fast-then-slow is as old as hva_to_pfn_fast() itself.
 *
 * <p>Either path hands back a page with a reference the caller puts (kvm_release_page_clean()): KVM
 * keeps none once the translation is installed, so mmu notifiers must tell it when the page goes.
 */
public final class HvaToPfn {
    private HvaToPfn() { }

    /**
     * What hva_to_pfn() hands back: the pfn of {@code *kfp->refcounted_page} (-1 if there is none:
     * no frame could be allocated) and {@code *kfp->map_writable}.
     */
    public record Result(int pfn, boolean writable) {
        static final Result FAULT = new Result(-1, false);

        public boolean failed() {
            return pfn < 0;
        }
    }

    /**
     * hva_to_pfn(): hva_to_pfn_fast(), else hva_to_pfn_slow().
     *
     * @param write       FOLL_WRITE in {@code kfp->flags}: a write fault, or a caller that writes
     *                    the page (the pfn cache, the APIC-access page)
     * @param mapWritable {@code kfp->map_writable} is set: the caller may map a read fault writable
     *                    (the stage-2 fault's {@code &fault->map_writable})
     */
    public static Result hvaToPfn(MmStruct mm, int hva, boolean write, boolean mapWritable) {
        mm.sched.point("hva_to_pfn");
        Result fast = hvaToPfnFast(mm, hva, write, mapWritable);
        return fast != null ? fast : hvaToPfnSlow(mm, hva, write, mapWritable);
    }

    /**
     * hva_to_pfn_fast(): only for a caller that wants the page writable ("If the caller only wants
     * to read the page, KVM must go down the full, slow path in order to avoid racing an operation
     * that breaks Copy-on-Write"), and then always with FOLL_WRITE, so a read-only PTE fails it.
     * Returns null when it did not get the page.
     */
    private static Result hvaToPfnFast(MmStruct mm, int hva, boolean write, boolean mapWritable) {
        if (!(write || mapWritable)) {
            return null;
        }
        int pfn = GupFast.getUserPageFastOnly(mm, hva, true);
        return pfn < 0 ? null : new Result(pfn, true); // kvm_resolve_pfn(kfp, page, NULL, true)
    }

    /**
     * hva_to_pfn_slow(): get_user_pages_unlocked(), which takes mmap_lock and faults the page in as
     * often as it takes. A read fault the caller may map writable then tries GUP-fast once more with
     * FOLL_WRITE ("map read fault as writable if possible") and, if it gets the page, puts the one
     * it had and uses that one writable.
     */
    private static Result hvaToPfnSlow(MmStruct mm, int hva, boolean write, boolean mapWritable) {
        mm.sched.point("hva_to_pfn_slow: get_user_pages_unlocked");
        int pfn = Fault.getUserPage(mm, hva, write);
        if (pfn < 0) {
            return Result.FAULT;
        }
        if (!write && mapWritable) {
            int wpfn = GupFast.getUserPageFastOnly(mm, hva, true);
            if (wpfn >= 0) {
                mm.sched.point("hva_to_pfn_slow: map read fault as writable: put_page");
                mm.frames.putPage(pfn);
                return new Result(wpfn, true);
            }
        }
        return new Result(pfn, write);
    }
}
