package dev.tlbrace.harness.gate;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** jcstress settings per hunt mode; costs are measured in README "Modes". */
public enum HuntMode {
    /** The CI mode: one short iteration per test with C2's code-motion randomizers. */
    CI(List.of("-sc", "false", "-f", "1", "-iters", "1", "-time", "500",
            "-jvmArgs", "-XX:+UnlockDiagnosticVMOptions -XX:+StressLCM -XX:+StressGCM -XX:+StressIGVN")),
    /** jcstress quick mode without split compilation, one fork. */
    QUICK(List.of("-m", "quick", "-sc", "false", "-f", "1")),
    /** jcstress defaults. */
    DEFAULT(List.of()),
    /** jcstress tough mode: long, for a weak-memory machine or a release. */
    TOUGH(List.of("-m", "tough"));

    private final List<String> args;

    HuntMode(List<String> args) {
        this.args = args;
    }

    public List<String> jcstressArgs() {
        return args;
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
