/**
 * The simulated machine. Named after the kernel so that {@code grep -r invalidate_range_start}
 * finds the place in both trees.
 *
 * <p>Shared state is never a plain field. Each access uses the VarHandle mode of the kernel
 * primitive the real code uses, through one API ({@link dev.tlbrace.model.sync.Memory}), and every
 * step a race depends on first passes a named trace point ({@link dev.tlbrace.model.sync.Sched}),
 * so one protocol definition runs under jcstress and JMH at full speed and under the explorer
 * one step at a time.
 */
package dev.tlbrace.model;
