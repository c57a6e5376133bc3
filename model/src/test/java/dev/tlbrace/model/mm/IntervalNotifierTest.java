package dev.tlbrace.model.mm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlbrace.model.mem.Frames;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.sync.Memory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IntervalNotifierTest {
    private final MmStruct mm = new MmStruct(Memory.hardware(), MmConfig.PRE_6_6, 8, new Frames(8, Memory.hardware()));
    private final List<Long> seenSeqs = new ArrayList<>();

    private MmuIntervalNotifier subscribe(int start, int end) {
        return mm.notifiers.insert(start, end, (sub, range, curSeq) -> {
            seenSeqs.add(curSeq);
            sub.setSeq(curSeq);
            return true;
        });
    }

    @Test
    void overlappingInvalidationRunsWithAnOddSeqAndEndsEven() {
        MmuIntervalNotifier sub = subscribe(0, 2);
        mm.populate(1, Pte.WRITE);
        long seq = mm.notifiers.readBegin(sub);
        assertThat(mm.notifiers.invalidateSeq() % 2).isZero();
        Zap.zapPageRange(mm, 1, 2);
        assertThat(seenSeqs).hasSize(1);
        assertThat(seenSeqs.get(0) % 2).isEqualTo(1);
        assertThat(mm.notifiers.invalidateSeq() % 2).isZero();
        assertThat(sub.readRetry(seq)).isTrue();
        assertThat(mm.notifiers.activeInvalidateRanges()).isZero();
    }

    @Test
    void invalidationElsewhereLeavesTheSubscriptionAlone() {
        MmuIntervalNotifier sub = subscribe(0, 2);
        long seq = mm.notifiers.readBegin(sub);
        long mmSeq = mm.notifiers.invalidateSeq();
        Zap.zapPageRange(mm, 4, 6);
        assertThat(seenSeqs).isEmpty();
        assertThat(sub.readRetry(seq)).isFalse();
        assertThat(mm.notifiers.invalidateSeq()).isEqualTo(mmSeq);
    }
}
