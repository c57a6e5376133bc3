package dev.tlbrace.harness.gate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** jcstress settings per hunt mode; costs are measured in README "Modes". */
public enum HuntMode {
    /**
     * The CI mode: one JVM per test ({@code -jvmArgs} pins one configuration, see
     * {@link JcstressLauncher}), one iteration of {@link #CI_TIME_MS} with C2's code-motion
     * randomizers, longer or shorter for the known bugs whose margin needs it or can spare it
     * ({@link #CI_TIMES}). No heap pre-touch: it cost every fork and every probe of jcstress's
     * start a 256 MB page walk.
     *
     * <p>Strides of 8 states, 80 a epoch (jcstress: 256 and 40): the actors meet at a checkpoint
     * every 8 samples instead of every 256, so their racy windows overlap far more often ("larger
     * value decreases the synchronization overhead, but also reduces the number of collisions",
     * jcstress -h); and each fork's start, which sizes the epoch by trying ever larger arrays of
     * states (ForkedTestConfig.adjustStrideCount, ~3 s of a 4.5 s fork for our heavy states), is
     * ~1 s shorter. Fewer samples (~0.1M a test instead of ~0.5M), 10-50x the bad ones of the known
     * bugs (README "Margins").
     *
     * <p>Serial GC: jcstress gives G1 two parallel, two concurrent and two refinement threads,
     * which on a 2-CPU machine take turns with the two actors, and G1's write barrier (a
     * {@code StoreLoad} fence on its slow path) can hide the very reorderings the canaries look
     * for; Serial GC has neither. Measured on seven of the heaviest tests: 5% less wall time and
     * more samples in most runs (README "Modes").
     */
    CI(List.of("-sc", "false", "-f", "1", "-iters", "1", "-pth", "false", "-strideSize", "8", "-strideCount", "80",
            "-jvmArgs", "-XX:+UnlockDiagnosticVMOptions -XX:+StressLCM -XX:+StressGCM -XX:+StressIGVN -XX:+UseSerialGC")),
    /** jcstress quick mode without split compilation, one fork, every JVM configuration jcstress picks. */
    QUICK(List.of("-m", "quick", "-sc", "false", "-f", "1")),
    /** jcstress defaults. */
    DEFAULT(List.of()),
    /** jcstress tough mode: long, for a weak-memory machine or a release. */
    TOUGH(List.of("-m", "tough"));

    /** A {@code ci} test's iteration: one JVM, as long as the two JVMs of 500 ms each it replaced together. */
    public static final int CI_TIME_MS = 1000;

    /**
     * A {@code ci} known bug's iteration where ten loaded runs saw it with room to spare. Under
     * load nearly all its bad samples come from jcstress's stride sizing (~19,500 samples, the
     * actors unsynchronized), which {@code -time} does not shorten: 72 at the worst at 300 ms,
     * 65 at 500 (README "Margins").
     */
    static final int FAT_MARGIN_MS = 300;

    /**
     * {@code ci} tests whose time is not {@link #CI_TIME_MS}, by id: known bugs only, placed by
     * their bad samples in ten runs under load (a busy loop per core; README "Margins"). Longer
     * where the margin was thin at 1000 ms: the APIC race's window (4 bad samples in the worst of
     * ten runs on migrate, 13 on zap; the zap form at 2000 ms had a run with 4 again) and the
     * entry-barrier canary's store-buffer reordering (median 22); these need the iteration
     * itself, where the actors meet every 8 samples. Shorter where it was fat: at 300 ms every
     * one of these saw at least 72 (the seqcount canary) in each of ten loaded runs, and the two
     * publish canaries are millions of samples a second where a CPU can reorder them and nothing
     * on x86. Not the KVM fault's cow forms: at 500 ms {@code seq-only/cow} saw 2 in one run of
     * ten (169 at the worst at 1000). All run in one jcstress invocation ({@link JcstressLauncher}'s
     * {@code --times}). A fix never gets less than {@link #CI_TIME_MS}; {@code HuntModeTest} checks
     * every id names a known bug.
     */
    static final Map<String, Integer> CI_TIMES = Stream.concat(
            Stream.of(Map.entry("apic-access-reload/range-start-request", 3000),
                    Map.entry("apic-access-reload/range-start-request/migrate", 2000),
                    Map.entry("entry-barrier-canary/no-barrier", 1500)),
            Stream.of("kvm-fault-vs-invalidate/no-retry", "kvm-fault-vs-invalidate/no-retry/migrate",
                    "kvm-fault-vs-invalidate/no-retry/change-protection", "kvm-fault-vs-invalidate/seq-only",
                    "kvm-fault-vs-invalidate/seq-only/migrate", "kvm-fault-vs-invalidate/seq-only/change-protection",
                    "gpc-refresh-vs-invalidate/refresh-no-retry", "gpc-refresh-vs-invalidate/refresh-no-retry/migrate",
                    "gpc-refresh-vs-invalidate/refresh-no-retry/change-protection", "smmu-stale-readonly/no-upgrade-notify",
                    "smmu-stale-readonly/no-upgrade-notify/mark-dirty", "seqcount-canary/no-retry-check",
                    "publish-canary/no-wmb", "publish-canary/no-rmb").map(id -> Map.entry(id, FAT_MARGIN_MS)))
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

    private final List<String> args;

    HuntMode(List<String> args) {
        this.args = args;
    }

    /** The mode's jcstress arguments, with the {@code -time} of {@link #timeMs} where the mode sets one. */
    public List<String> jcstressArgs(int timeMs) {
        List<String> out = new ArrayList<>(args);
        if (timeMs > 0) {
            out.addAll(List.of("-time", Integer.toString(timeMs)));
        }
        return out;
    }

    /** The {@code -time} this mode gives {@code t} in ms, or 0 where it leaves it to jcstress's preset. */
    public int timeMs(StressTest t) {
        return this == CI ? CI_TIMES.getOrDefault(t.id(), CI_TIME_MS) : 0;
    }

    /** The {@code -time} of the mode's jcstress run (0: jcstress's preset); {@link #timeMs} differs for some tests. */
    public int baseTimeMs() {
        return this == CI ? CI_TIME_MS : 0;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static HuntMode parse(String s) {
        for (HuntMode m : values()) {
            if (m.id().equals(s)) {
                return m;
            }
        }
        throw new GateInputException("unknown mode '" + s + "'; valid: "
                + Arrays.stream(values()).map(HuntMode::id).collect(Collectors.joining(", ")));
    }
}
