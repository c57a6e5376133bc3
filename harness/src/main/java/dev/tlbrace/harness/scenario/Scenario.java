package dev.tlbrace.harness.scenario;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.model.sync.Memory;
import java.util.List;
import java.util.stream.Collectors;

/** One race: how to build a fresh world for a variant, its roles, its judge. */
public interface Scenario {

    /** Fixed id used on the command line and in reports. */
    String id();

    /** One line a kernel engineer recognises. */
    String title();

    /** The invariant the bad outcome breaks, with its KERNEL.md name. */
    String invariant();

    /** The outcome id that means the race happened (the main one, if several are bad). */
    String badOutcome();

    /** Every outcome id that breaks the invariant: {@link #badOutcome} and any other bad one. */
    default java.util.Set<String> badOutcomes() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        out.add(badOutcome());
        outcomes().stream().filter(Outcome::bad).map(Outcome::id).forEach(out::add);
        return out;
    }

    /** Every outcome id the judge can return, with a plain-words description. */
    List<Outcome> outcomes();

    List<Variant> variants();

    /** Role names of the two-actor form, in order. */
    List<String> roles();

    /**
     * A fresh world whose every shared word lives in {@code mem} (whose trace points go to
     * {@code mem.sched}); the two-actor form.
     */
    ScenarioRun newRun(Variant variant, Memory mem);

    /** The interleaving the fixing commit's message describes, as a script of role steps. */
    Script commitScript();

    /** The variant with this id, or an {@link IllegalArgumentException} naming the valid ones. */
    default Variant variant(String id) {
        for (Variant v : variants()) {
            if (v.id().equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + id + "' for " + id() + "; valid: "
                + variants().stream().map(Variant::id).collect(Collectors.joining(", ")));
    }

    /** An outcome id and what it means. */
    record Outcome(String id, boolean bad, String description) { }
}
