package dev.tlbrace.model.iommu;

import dev.tlbrace.model.mem.FrameRef;

/**
 * An IOTLB entry in one {@code long}: valid and write bits above a {@link FrameRef}
 * (pfn in bits 32..61, generation below). 0 is an invalid entry.
 */
public final class IotlbEntry {
    private IotlbEntry() { }

    public static final long INVALID = 0L;
    private static final long VALID = 1L << 63;
    private static final long WRITE = 1L << 62;
    private static final long REF_MASK = ~(VALID | WRITE);

    public static long of(long frameRef, boolean write) {
        return VALID | (write ? WRITE : 0) | (frameRef & REF_MASK);
    }

    public static boolean valid(long e) { return (e & VALID) != 0; }

    public static boolean write(long e) { return (e & WRITE) != 0; }

    public static long frameRef(long e) { return e & REF_MASK; }

    public static int pfn(long e) { return FrameRef.pfn(frameRef(e)); }

    public static String describe(long e) {
        return valid(e) ? "pfn 0x" + Integer.toHexString(pfn(e)) + (write(e) ? " RW" : " RO") : "invalid";
    }
}
