package dev.tlbrace.model.mm;

/**
 * struct mmu_notifier_range: [start, end) in virtual pages, and why.
 *
 * @param start first page
 * @param end   one past the last page
 * @param event enum mmu_notifier_event
 */
public record MmuNotifierRange(int start, int end, Event event) {

    /** enum mmu_notifier_event; PROTECTION_UPGRADE is the event the seed patch proposed. */
    public enum Event { UNMAP, CLEAR, PROTECTION_VMA, PROTECTION_PAGE, MIGRATE, PROTECTION_UPGRADE, RELEASE }

    public MmuNotifierRange {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("empty or negative range [" + start + ", " + end + ")");
        }
    }

    public boolean contains(int va) {
        return start <= va && va < end;
    }

    public boolean overlaps(int otherStart, int otherEnd) {
        return start < otherEnd && otherStart < end;
    }
}
