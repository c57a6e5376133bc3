package dev.tlbrace.harness.gate;

import com.google.common.base.CaseFormat;
import com.google.common.collect.ImmutableList;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Scenarios;
import dev.tlbrace.harness.scenario.Variant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every jcstress test the gate expects, derived from the scenario registry rather than from
 * whatever jcstress happened to report: a test that silently stops running is a failure.
 * The classes are generated from the same registry ({@link StressSources}): a scenario
 * {@code x.y.kvm.FooBar} is {@code dev.tlbrace.stress.kvm.FooBarTests.<Variant>} (variant id
 * in UpperCamel), an extra form {@code two-vcpu} is {@code FooBarTwoVcpuTests.<Variant>}.
 */
public final class StressCatalog {
    private StressCatalog() { }

    private static final List<StressTest> ALL = build();

    private static List<StressTest> build() {
        ImmutableList.Builder<StressTest> b = ImmutableList.builder();
        for (Scenario s : Scenarios.everything()) {
            for (Variant v : s.variants()) {
                b.add(new StressTest(testClass(s, null) + "." + camel(v.id()), s, v, s.baseForm(), 2, true));
            }
            for (Scenario.Form f : s.extraForms()) {
                Scenario view = s.onForm(f.id());
                for (Variant v : view.variants()) {
                    int actors = StressSources.roleNames(s, f, v).size();
                    b.add(new StressTest(testClass(s, f) + "." + camel(v.id()), view, v, f.id(), actors, actors <= 2));
                }
            }
        }
        return b.build();
    }

    /** The outer jcstress class of {@code s} in {@code form} (null: the two-actor form). */
    public static String testClass(Scenario s, Scenario.Form form) {
        String pkg = s.getClass().getPackageName();
        return "dev.tlbrace.stress." + pkg.substring(pkg.lastIndexOf('.') + 1) + "." + s.getClass().getSimpleName()
                + (form == null ? "" : camel(form.id())) + "Tests";
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
