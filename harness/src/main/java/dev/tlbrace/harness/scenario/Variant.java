package dev.tlbrace.harness.scenario;

import dev.tlbrace.harness.graph.MemoryModel;

/**
 * One protocol choice of a scenario.
 *
 * @param id          kebab-case id used on the command line ({@code range-start-request})
 * @param commit      the kernel commit (or patch) that introduced the behaviour
 * @param expectation known bug or fixed
 * @param summary     one line: what the kernel does in this variant
 * @param showsUnder  for a known bug, the strongest memory model under which it happens: SC
 *                    for an interleaving, TSO for a store-buffer reordering (x86 shows it),
 *                    LKMM for one only weakly ordered CPUs make (x86 hardware never can)
 */
public record Variant(String id, String commit, Expectation expectation, String summary, MemoryModel showsUnder) {

    /** The variant of a model protocol choice: its id and commit come from the enum constant. */
    public static Variant of(dev.tlbrace.model.ProtocolChoice choice, Expectation expectation, String summary) {
        return new Variant(choice.id(), choice.commit(), expectation, summary);
    }

    /** A variant whose bug, if any, is an interleaving: it shows under every memory model. */
    public Variant(String id, String commit, Expectation expectation, String summary) {
        this(id, commit, expectation, summary, MemoryModel.SC);
    }
}
