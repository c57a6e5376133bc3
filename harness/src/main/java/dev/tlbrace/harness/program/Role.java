package dev.tlbrace.harness.program;

/**
 * A named thread of a scenario (Invalidator, vCPU, SMMU, CPU ...): plain Java code against the
 * world, run by jcstress as an actor, by the explorer one step at a time, by the soak in a loop.
 */
public record Role(String name, Runnable body) { }
