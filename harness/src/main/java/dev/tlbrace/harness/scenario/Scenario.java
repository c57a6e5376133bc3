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

    /** The invariant the bad outcome breaks, named as in docs/kernel.md (A1, N2, B3 ...). */
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

    /**
     * The outcomes {@code variant} can end in: {@link #outcomes()} less the good ones whose code
     * path the variant does not have (a retry outcome where nothing retries). A fix keeps its
     * bad outcomes: they are listed to be forbidden. {@code OutcomeListTest} checks each list
     * against what the explorer reaches.
     */
    default List<Outcome> outcomes(Variant variant) {
        return outcomes();
    }

    List<Variant> variants();

    /** Role names of the two-actor form, in order. */
    List<String> roles();

    /**
     * A fresh world whose every shared word lives in {@code mem} (whose trace points go to
     * {@code mem.sched}); the two-actor form.
     */
    ScenarioRun newRun(Variant variant, Memory mem);

    /**
     * The two-actor world for free-running threads (jcstress, the soak's rounds): {@link #newRun}
     * unless the scenario widens its racy window with a documented spin.
     */
    default ScenarioRun stressRun(Variant variant, Memory mem) {
        return newRun(variant, mem);
    }

    /**
     * jcstress forms with more actors than two, graded where the machine has the CPUs and
     * reported SKIPPED elsewhere; none by default.
     */
    default List<Form> extraForms() {
        return List.of();
    }

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

    /**
     * A jcstress form with more actors.
     *
     * @param id       kebab-case, part of the test id and of the jcstress class name ({@code two-vcpu})
     * @param label    what the form adds, in words ("two vCPUs")
     * @param variants the variant ids it runs
     * @param run      a world for free-running threads; its roles are the actors
     */
    record Form(String id, String label, List<String> variants,
                java.util.function.BiFunction<Variant, Memory, ScenarioRun> run) { }

    /** An outcome id and what it means. */
    record Outcome(String id, boolean bad, String description) {
        /** {@code all} without the outcome {@code id}. */
        public static List<Outcome> except(List<Outcome> all, String id) {
            return all.stream().filter(o -> !o.id().equals(id)).toList();
        }
    }
}
