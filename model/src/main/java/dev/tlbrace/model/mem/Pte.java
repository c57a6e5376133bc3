package dev.tlbrace.model.mem;

/**
 * A page-table entry as one {@code long}: pfn in bits 12.., flags below, like pte_t. Pure
 * functions on values; the word itself lives in {@link PageTable}.
 */
public final class Pte {
    private Pte() { }

    public static final long NONE = 0L;
    public static final long PRESENT = 1L;      // pte_present()
    public static final long WRITE = 1L << 1;   // pte_write()
    public static final long ACCESSED = 1L << 2; // pte_young()
    public static final long DIRTY = 1L << 3;   // pte_dirty()
    /** A migration entry (is_migration_entry()): not present; faults wait for the migration. */
    public static final long MIGRATION = 1L << 4;
    private static final int PFN_SHIFT = 12;
    private static final long FLAGS = (1L << PFN_SHIFT) - 1;

    /** pfn_pte(pfn, prot). */
    public static long make(long pfn, long flags) {
        if (pfn < 0 || (flags & ~FLAGS) != 0) {
            throw new IllegalArgumentException("bad pte: pfn " + pfn + " flags " + flags);
        }
        return (pfn << PFN_SHIFT) | flags;
    }

    public static long pfn(long pte) { return pte >>> PFN_SHIFT; }
    public static boolean present(long pte) { return (pte & PRESENT) != 0; }
    public static boolean write(long pte) { return (pte & WRITE) != 0; }
    public static boolean young(long pte) { return (pte & ACCESSED) != 0; }
    public static boolean dirty(long pte) { return (pte & DIRTY) != 0; }

    /**
     * Whether a TLB or an SMMU (without HTTU) may write through this PTE. arm64 keeps a writable
     * clean PTE read-only to the hardware (PTE_RDONLY set by pte_mkclean(), cleared by
     * pte_mkdirty()), so the first write faults and marks it dirty.
     */
    public static boolean hwWritable(long pte) { return write(pte) && dirty(pte); }

    /** make_migration_entry() + swp_entry_to_pte(): what try_to_migrate_one() leaves behind. */
    public static long migrationEntry(long pfn) { return make(pfn, MIGRATION); }

    public static boolean isMigrationEntry(long pte) { return !present(pte) && (pte & MIGRATION) != 0; }

    /** pte_mkwrite(pte_mkdirty(pte_mkyoung(pte))): what a write fault installs. */
    public static long mkWriteDirtyYoung(long pte) { return pte | WRITE | DIRTY | ACCESSED; }

    /** pte_wrprotect(). */
    public static long wrprotect(long pte) { return pte & ~WRITE; }

    /** {@code pfn 0x1000 RW D} style, for timelines. */
    public static String describe(long pte) {
        if (isMigrationEntry(pte)) {
            return "migration entry pfn 0x" + Long.toHexString(pfn(pte));
        }
        if (!present(pte)) {
            return "none";
        }
        StringBuilder sb = new StringBuilder("pfn 0x").append(Long.toHexString(pfn(pte)));
        sb.append(write(pte) ? " RW" : " RO");
        if (dirty(pte)) {
            sb.append(" D");
        }
        return sb.toString();
    }
}
