package dev.tlbrace.harness.graph;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which loads the explorer's simulated memory lets return an older store. */
public enum MemoryModel {
    /** Sequential consistency: every load reads the latest store. */
    SC,
    /**
     * x86-TSO: per-CPU FIFO store buffers with forwarding; {@code smp_mb()} and every RMW
     * (all are LOCK-prefixed) drain the buffer. A load may miss stores still buffered by other
     * CPUs.
     */
    TSO,
    /**
     * The Linux-kernel memory model (tools/memory-model) itself: a load may read, and a store go
     * in coherence, wherever the execution graph built so far stays one linux-kernel.cat allows
     * ({@link Lkmm}). What the Java model cannot show it (dependencies): README "The memory models".
     */
    LKMM,
    /**
     * ARMv8 AArch64 ({@link Armv8}) over the same execution graphs as {@link #LKMM}: a load may
     * read, and a store go in coherence, wherever the graph stays one arm64 hardware allows
     * with the kernel's primitives compiled as arch/arm64 compiles them.
     */
    ARMV8;

    /** Does the explorer build an execution graph and ask a graph model ({@link Lkmm}, {@link Armv8})? */
    public boolean graphs() {
        return this == LKMM || this == ARMV8;
    }

    public String id() {
        return name().toLowerCase();
    }

    public static MemoryModel byId(String id) {
        for (MemoryModel m : values()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown memory model '" + id + "'; valid: "
                + Arrays.stream(values()).map(MemoryModel::id).collect(Collectors.joining(", ")));
    }
}
