package dev.tlbrace.harness.explore;

import java.util.List;
import java.util.Map;

/**
 * What a printed execution did to shared memory: every role's accesses and barriers in the order
 * they ran (so each role's in program order), and each cell's final value (graph models: the
 * coherence-last store, by cell id). {@link LitmusExport} turns it into a litmus test.
 */
public record MemoryLog(List<SharedAccess> accesses, Map<Integer, Long> finalValues) { }
