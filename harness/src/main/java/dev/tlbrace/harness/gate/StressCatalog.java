package dev.tlbrace.harness.gate;

import com.google.common.base.CaseFormat;
import com.google.common.collect.ImmutableList;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.canary.EntryBarrierCanary;
import dev.tlbrace.harness.scenario.canary.PublishCanary;
import dev.tlbrace.harness.scenario.canary.SeqcountCanary;
import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.harness.scenario.kvm.GpcRefreshVsInvalidate;
import dev.tlbrace.harness.scenario.kvm.KvmFaultVsInvalidate;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every jcstress test the gate expects, derived from the scenario registry rather than from
 * whatever jcstress happened to report: a test that silently stops running is a failure.
 * Two-actor forms are named {@code <Scenario>Tests.<Variant>} (variant id in UpperCamel).
 */
public final class StressCatalog {
    private StressCatalog() { }

    private static final Map<String, String> TEST_CLASS = Map.of(
            ApicAccessReload.ID, "dev.tlbrace.stress.kvm.ApicAccessReloadTests",
            SmmuStaleReadOnly.ID, "dev.tlbrace.stress.iommu.SmmuStaleReadOnlyTests",
            SeqcountCanary.ID, "dev.tlbrace.stress.canary.SeqcountCanaryTests",
            EntryBarrierCanary.ID, "dev.tlbrace.stress.canary.EntryBarrierCanaryTests",
            PublishCanary.ID, "dev.tlbrace.stress.canary.PublishCanaryTests",
            KvmFaultVsInvalidate.ID, "dev.tlbrace.stress.kvm.KvmFaultVsInvalidateTests",
            GpcRefreshVsInvalidate.ID, "dev.tlbrace.stress.kvm.GpcRefreshVsInvalidateTests");

    private static final List<StressTest> ALL = build();

    private static List<StressTest> build() {
        ImmutableList.Builder<StressTest> b = ImmutableList.builder();
        for (Scenario s : Scenarios.everything()) {
            for (Variant v : s.variants()) {
                b.add(new StressTest(TEST_CLASS.get(s.id()) + "." + camel(v.id()), s, v, "2 actors", 2, true));
            }
        }
        Scenario apic = Scenarios.byId(ApicAccessReload.ID);
        for (String v : List.of("range-start-request", "retry-in-progress")) {
            b.add(new StressTest("dev.tlbrace.stress.kvm.ApicAccessReloadTwoVcpuTests." + camel(v),
                    apic, apic.variant(v), "two vCPUs", 3, false));
        }
        return b.build();
    }

    static String camel(String kebab) {
        return CaseFormat.LOWER_HYPHEN.to(CaseFormat.UPPER_CAMEL, kebab);
    }

    public static List<StressTest> all() {
        return ALL;
    }

    /**
     * Tests whose id ({@code scenario/variant[/form]}) or jcstress name matches {@code regex}
     * anywhere; null selects all. An empty result is the caller's bad input.
     */
    public static List<StressTest> select(String regex) {
        if (regex == null) {
            return ALL;
        }
        Pattern p = Pattern.compile(regex);
        return ALL.stream().filter(t -> p.matcher(t.id()).find() || p.matcher(t.name()).find()).toList();
    }
}
