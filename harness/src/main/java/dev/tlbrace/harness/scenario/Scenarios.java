package dev.tlbrace.harness.scenario;

import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import java.util.List;
import java.util.stream.Collectors;

/** The registry of races. */
public final class Scenarios {
    private Scenarios() { }

    private static final List<Scenario> ALL = List.of(new ApicAccessReload(), new SmmuStaleReadOnly());

    public static List<Scenario> all() {
        return ALL;
    }

    /** The scenario with this id, or an {@link IllegalArgumentException} naming the valid ones. */
    public static Scenario byId(String id) {
        for (Scenario s : ALL) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "'; valid: "
                + ALL.stream().map(Scenario::id).collect(Collectors.joining(", ")));
    }
}
