package dev.tlbrace.model.mem;

/** A (pfn, generation) pair packed in a {@code long}; 0 means "no frame". */
public final class FrameRef {
    private FrameRef() { }

    public static final long NONE = 0L;

    public static long of(int pfn, int generation) {
        return ((long) pfn << 32) | (generation & 0xffffffffL);
    }

    public static int pfn(long ref) { return (int) (ref >>> 32); }

    public static int generation(long ref) { return (int) ref; }

    public static String describe(long ref) {
        return ref == NONE ? "none" : "pfn 0x" + Integer.toHexString(pfn(ref)) + " gen " + generation(ref);
    }
}
