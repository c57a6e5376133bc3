package dev.tlbrace.harness.litmus;

import java.util.Set;

/**
 * Whether an outcome agrees with the file's Result comment, by the rules the kernel's own
 * tools/memory-model/scripts/judgelitmus.sh applies to herd7's output (checked against its
 * v6.x text):
 * <ul>
 * <li>{@code DATARACE} in the Result and a data-race flag in the outcome go together;</li>
 * <li>{@code DEADLOCK} means no execution at all (herd7's {@code Never 0 0}), and no execution
 *     at all is a deadlock nothing else predicts;</li>
 * <li>{@code Maybe} accepts anything;</li>
 * <li>otherwise the Never/Sometimes/Always word must match, except that a mismatch is
 *     forgiven when a data race makes the behaviour undefined;</li>
 * <li>{@code Flag NAME} asks for that flag (herd7 prints it; judgelitmus cannot check it).
 *     The pre-2023 {@code srcu-bad-nesting} is today's SRCU nesting flags.</li>
 * </ul>
 */
public final class LitmusJudge {
    private LitmusJudge() {
    }

    public enum Verdict { AGREE, DISAGREE, NO_RESULT }

    public record Judged(Verdict verdict, String expected, String why) {
    }

    private static final Set<String> SRCU_NESTING = Set.of("unbalanced-srcu-lock", "unbalanced-srcu-unlock",
            "multiple-srcu-matches");

    public static Judged judge(LitmusCheck.Outcome o) {
        LitmusAst.Result r = o.test().result();
        if (r == null || r.raw().isBlank()) {
            return new Judged(Verdict.NO_RESULT, "-", "no Result comment");
        }
        String raw = r.raw().trim();
        String word = raw.split("\\s+")[0];
        boolean none = o.executions() == 0;
        if (word.equals("Flag")) {
            String flag = raw.split("\\s+").length > 1 ? raw.split("\\s+")[1] : "";
            boolean raised = o.flags().contains(flag)
                    || (flag.equals("srcu-bad-nesting") && o.flags().stream().anyMatch(SRCU_NESTING::contains));
            return new Judged(raised ? Verdict.AGREE : Verdict.DISAGREE, raw, raised ? "flag raised" : "flag not raised");
        }
        if (r.dataRace() != o.dataRace()) {
            return new Judged(Verdict.DISAGREE, raw, r.dataRace() ? "predicted data race not found" : "unexpected data race");
        }
        if (word.equals("DEADLOCK")) {
            return new Judged(none ? Verdict.AGREE : Verdict.DISAGREE, raw, none ? "no execution" : "executions exist");
        }
        if (none) {
            return new Judged(Verdict.DISAGREE, raw, "no execution at all: a deadlock");
        }
        if (word.startsWith("Maybe")) {
            return new Judged(Verdict.AGREE, raw, "Maybe accepts any result");
        }
        if (word.equals(o.observed())) {
            return new Judged(Verdict.AGREE, raw, "");
        }
        if (o.dataRace()) {
            return new Judged(Verdict.AGREE, raw, "forgiven: a data race makes the result undefined");
        }
        return new Judged(Verdict.DISAGREE, raw, "");
    }
}
