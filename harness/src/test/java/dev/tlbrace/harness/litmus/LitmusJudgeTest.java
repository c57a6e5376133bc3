package dev.tlbrace.harness.litmus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.harness.litmus.LitmusJudge.Verdict;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** judgelitmus.sh's rules, one by one, on outcomes made up for the purpose. */
class LitmusJudgeTest {

    static LitmusCheck.Outcome outcome(String result, String observed, long positive, long negative, String... flags) {
        LitmusAst.Result r = result == null ? null
                : new LitmusAst.Result(result.split(" ")[0].matches("Never|Sometimes|Always") ? result.split(" ")[0] : null,
                        result.contains("DATARACE"), result);
        LitmusAst.Test t = new LitmusAst.Test("t.litmus", "t", r, List.of(), List.of(), List.of(), null,
                LitmusAst.Quantifier.EXISTS, new LitmusAst.True());
        return new LitmusCheck.Outcome(t, "lkmm", observed, positive, negative, Set.of(flags), 1, Set.of(), null, 0);
    }

    static Verdict verdict(LitmusCheck.Outcome o) {
        return LitmusJudge.judge(o).verdict();
    }

    @Test
    void theWordMustMatch() {
        assertThat(verdict(outcome("Never", "Never", 0, 4))).isEqualTo(Verdict.AGREE);
        assertThat(verdict(outcome("Never", "Sometimes", 1, 3))).isEqualTo(Verdict.DISAGREE);
        assertThat(verdict(outcome(null, "Sometimes", 1, 3))).isEqualTo(Verdict.NO_RESULT);
    }

    @Test
    void aDataRaceAndDataraceGoTogetherAndTheRaceForgivesTheWord() {
        assertThat(verdict(outcome("Never", "Never", 0, 2, "data-race"))).isEqualTo(Verdict.DISAGREE);
        assertThat(verdict(outcome("Sometimes DATARACE", "Sometimes", 1, 1))).isEqualTo(Verdict.DISAGREE);
        assertThat(verdict(outcome("Sometimes DATARACE", "Never", 0, 2, "data-race"))).isEqualTo(Verdict.AGREE);
    }

    @Test
    void deadlockIsNoExecutionAtAllAndNothingElseIs() {
        assertThat(verdict(outcome("DEADLOCK", "Never", 0, 0))).isEqualTo(Verdict.AGREE);
        assertThat(verdict(outcome("DEADLOCK", "Never", 0, 1))).isEqualTo(Verdict.DISAGREE);
        assertThat(verdict(outcome("Never", "Never", 0, 0))).isEqualTo(Verdict.DISAGREE);
    }

    @Test
    void maybeAcceptsAnythingAndAFlagResultAsksForTheFlag() {
        assertThat(verdict(outcome("Maybe (compiler!)", "Sometimes", 1, 1))).isEqualTo(Verdict.AGREE);
        assertThat(verdict(outcome("Flag srcu-bad-nesting", "Sometimes", 1, 1, "multiple-srcu-matches")))
                .isEqualTo(Verdict.AGREE);
        assertThat(verdict(outcome("Flag srcu-bad-nesting", "Sometimes", 1, 1))).isEqualTo(Verdict.DISAGREE);
    }
}
