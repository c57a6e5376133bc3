package dev.tlbrace.harness.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    @Test
    void formatIsRunLengthAndParseInvertsIt() {
        List<Integer> choices = List.of(0, 0, 0, 1, 1, 0, 1);
        String s = Schedule.format(choices);
        assertThat(s).isEqualTo("0:3.1:2.0:1.1:1");
        assertThat(Schedule.parse(s, 2).roles()).isEqualTo(choices);
    }

    @Test
    void readFromChoicesAnnotateTheirStepAndRoundTrip() {
        // role 0 twice, then role 1 whose first step read the newest-but-one store, then role 1 again
        List<Integer> choices = List.of(0, 0, 1, -2, 1, -1);
        String s = Schedule.format(choices);
        assertThat(s).isEqualTo("0:2.1:1~1.1:1");
        Schedule.Parsed p = Schedule.parse(s, 2);
        assertThat(p.roles()).containsExactly(0, 0, 1, 1);
        assertThat(p.reads()).containsExactly(java.util.Map.entry(2, List.of(1)));
        assertThatThrownBy(() -> Schedule.parse("0:1~x", 2)).hasMessageContaining("ROLE:COUNT~READ");
    }

    @Test
    void malformedSchedulesAreRejectedWithAHint() {
        assertThatThrownBy(() -> Schedule.parse("0:3.x", 2)).hasMessageContaining("expected ROLE:COUNT");
        assertThatThrownBy(() -> Schedule.parse("2:1", 2)).hasMessageContaining("role must be 0..1");
        assertThatThrownBy(() -> Schedule.parse("0:0", 2)).hasMessageContaining("count positive");
        assertThatThrownBy(() -> Schedule.parse(" ", 2)).hasMessageContaining("empty schedule");
    }
}
