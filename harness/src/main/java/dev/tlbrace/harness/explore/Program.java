package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.model.sync.Memory;

/**
 * What the explorer runs: a program that builds a fresh run (its world, its roles, its judge)
 * on the memory it is given, once per execution. A scenario's variant is one:
 * {@code mem -> scenario.newRun(variant, mem)}.
 */
@FunctionalInterface
public interface Program {

    /** A fresh world on {@code mem}: every execution starts from one. */
    ScenarioRun newRun(Memory mem);
}
