package dev.tlbrace.harness.scenario;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.program.ScenarioRun;
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
     * The other forms: the same race on another path the kernel uses to change the mapping
     * (two actors, graded everywhere: {@code migrate}, {@code cow} ...), and forms with more
     * actors (graded where the machine has the CPUs, reported SKIPPED elsewhere). None by default.
     */
    default List<Form> extraForms() {
        return List.of();
    }

    /**
     * The memory model explore, replay and timeline use when none is given: the weakest whose
     * exhaustive search ends within explore's default budget. SC for the races (under LKMM the
     * read-from branching at every load outgrows it for three of their nine fixes: README "What
     * the exhaustive search costs"); the canaries, whose bugs need a weak model, say LKMM.
     */
    default MemoryModel defaultMemoryModel() {
        return MemoryModel.SC;
    }

    /** The path {@link #newRun} takes, the form every scenario has ("zap"; "base" where there is no path). */
    default String baseForm() {
        return "base";
    }

    /** The form this scenario object stands for: {@link #baseForm()}, or the one {@link #onForm} chose. */
    default String form() {
        return baseForm();
    }

    /** What {@code variant} is known to do on this form: its expectation, unless the form cannot show its bug. */
    default Expectation expectation(Variant variant) {
        return variant.expectation();
    }

    /**
     * This race on the form {@code formId}: the same ids, variants and judge, worlds built by the
     * form. The base form is this object; an unknown form is an {@link IllegalArgumentException}.
     */
    default Scenario onForm(String formId) {
        if (formId == null || formId.equals(baseForm())) {
            return this;
        }
        for (Form f : extraForms()) {
            if (f.id().equals(formId)) {
                return new FormView(this, f);
            }
        }
        throw new IllegalArgumentException("unknown form '" + formId + "' for " + id() + "; valid: " + baseForm()
                + extraForms().stream().map(f -> ", " + f.id()).collect(Collectors.joining()));
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
     * Another form of the race: another invalidation path, or more actors.
     *
     * @param id             kebab-case, part of the test id and of the jcstress class name ({@code migrate})
     * @param label          what the form is, in words ("try_to_migrate_one, then remove_migration_ptes")
     * @param variants       the variant ids it runs
     * @param run            a world on this form; its roles are the actors
     * @param bugUnreachable null if the known bugs show on this form; else why they cannot, and
     *                       the variants of {@code fixedHere} are then graded as fixes here
     * @param fixedHere      the known bugs {@code bugUnreachable} is about; null: every variant
     *                       (a form that takes away what one bug needs but not what another does)
     */
    record Form(String id, String label, List<String> variants,
                java.util.function.BiFunction<Variant, Memory, ScenarioRun> run, String bugUnreachable,
                List<String> fixedHere) {
        /** A form on which the known bugs show. */
        public Form(String id, String label, List<String> variants,
                    java.util.function.BiFunction<Variant, Memory, ScenarioRun> run) {
            this(id, label, variants, run, null, null);
        }

        /** A form on which no known bug shows ({@code bugUnreachable} says why), or every one does (null). */
        public Form(String id, String label, List<String> variants,
                    java.util.function.BiFunction<Variant, Memory, ScenarioRun> run, String bugUnreachable) {
            this(id, label, variants, run, bugUnreachable, null);
        }

        /** Whether {@code variant} is graded as a fix on this form whatever its expectation. */
        public boolean fixedHere(String variant) {
            return bugUnreachable != null && (fixedHere == null || fixedHere.contains(variant));
        }

        /** The form of invalidation path {@code path}: its id and label, worlds that take that path. */
        public static Form onPath(dev.tlbrace.model.mm.InvalidationPath path, List<String> variants, PathRun run,
                                  String bugUnreachable) {
            return new Form(path.id(), path.label(), variants, (v, mem) -> run.run(v, mem, path), bugUnreachable);
        }

        /** A world of one variant on one invalidation path. */
        @FunctionalInterface
        public interface PathRun {
            ScenarioRun run(Variant variant, Memory mem, dev.tlbrace.model.mm.InvalidationPath path);
        }
    }

    /** An outcome id and what it means. */
    record Outcome(String id, boolean bad, String description) {
        /** {@code all} without the outcome {@code id}. */
        public static List<Outcome> except(List<Outcome> all, String id) {
            return all.stream().filter(o -> !o.id().equals(id)).toList();
        }
    }
}
