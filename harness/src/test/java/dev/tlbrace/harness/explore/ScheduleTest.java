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
        assertThat(Schedule.parse(s, 2)).isEqualTo(choices);
    }

    @Test
    void malformedSchedulesAreRejectedWithAHint() {
        assertThatThrownBy(() -> Schedule.parse("0:3.x", 2)).hasMessageContaining("expected ROLE:COUNT");
        assertThatThrownBy(() -> Schedule.parse("2:1", 2)).hasMessageContaining("role must be 0..1");
        assertThatThrownBy(() -> Schedule.parse("0:0", 2)).hasMessageContaining("count positive");
        assertThatThrownBy(() -> Schedule.parse(" ", 2)).hasMessageContaining("empty schedule");
    }
}
