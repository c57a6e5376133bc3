package dev.tlbrace.harness.scenario;

import dev.tlbrace.harness.scenario.canary.EntryBarrierCanary;
import dev.tlbrace.harness.scenario.canary.PublishCanary;
import dev.tlbrace.harness.scenario.canary.SeqcountCanary;
import dev.tlbrace.harness.scenario.hmm.HmmMirrorVsInvalidate;
import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.harness.scenario.kvm.GpcRefreshVsInvalidate;
import dev.tlbrace.harness.scenario.kvm.KvmFaultVsInvalidate;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The registry of races: the line below, plus any race a jar on the class path provides
 * through {@code META-INF/services/dev.tlbrace.harness.scenario.Scenario} (a lab's own race,
 * or the toy race of {@code AddARaceTest}). Every engine, the jcstress classes and the gate
 * derive from this list.
 */
public final class Scenarios {
    private Scenarios() { }

    private static final List<Scenario> BUILT_IN = List.of(new ApicAccessReload(), new SmmuStaleReadOnly(),
            new KvmFaultVsInvalidate(), new GpcRefreshVsInvalidate(), new HmmMirrorVsInvalidate());
    private static final List<Scenario> CANARIES = List.of(new SeqcountCanary(), new EntryBarrierCanary(), new PublishCanary());
    private static final List<Scenario> ALL = withProvided(BUILT_IN);

    private static List<Scenario> withProvided(List<Scenario> builtIn) {
        List<Scenario> all = new java.util.ArrayList<>(builtIn);
        java.util.Set<String> ids = new java.util.HashSet<>();
        Stream.concat(builtIn.stream(), CANARIES.stream()).forEach(s -> ids.add(s.id()));
        for (Scenario s : java.util.ServiceLoader.load(Scenario.class)) {
            if (!ids.add(s.id())) {
                throw new IllegalStateException("two scenarios named '" + s.id() + "': " + s.getClass().getName());
            }
            all.add(s);
        }
        return List.copyOf(all);
    }

    /** The races. */
    public static List<Scenario> all() {
        return ALL;
    }

    /**
     * Canaries: deliberately broken primitives that prove the stress suite sees what it should.
     * Graded by the gate like races; not kernel bugs, so not in {@link #all()}.
     */
    public static List<Scenario> canaries() {
        return CANARIES;
    }

    /** Races, then canaries. */
    public static List<Scenario> everything() {
        return Stream.concat(ALL.stream(), CANARIES.stream()).toList();
    }

    /** The scenario with this id, or an {@link IllegalArgumentException} naming the valid ones. */
    public static Scenario byId(String id) {
        for (Scenario s : everything()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "'; valid: "
                + everything().stream().map(Scenario::id).collect(Collectors.joining(", ")));
    }
}
