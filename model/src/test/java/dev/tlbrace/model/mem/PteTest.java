package dev.tlbrace.model.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PteTest {
    @Test
    void makeKeepsPfnAndFlagsApart() {
        long pte = Pte.make(0x1234, Pte.PRESENT | Pte.WRITE);
        assertThat(Pte.pfn(pte)).isEqualTo(0x1234);
        assertThat(Pte.present(pte)).isTrue();
        assertThat(Pte.write(pte)).isTrue();
        assertThat(Pte.dirty(pte)).isFalse();
        assertThat(Pte.describe(pte)).isEqualTo("pfn 0x1234 RW");
    }

    @Test
    void writeFaultEntryAddsWriteDirtyYoungAndWrprotectRemovesWrite() {
        long ro = Pte.make(7, Pte.PRESENT);
        long rw = Pte.mkWriteDirtyYoung(ro);
        assertThat(Pte.write(rw) && Pte.dirty(rw) && Pte.young(rw)).isTrue();
        assertThat(Pte.write(Pte.wrprotect(rw))).isFalse();
        assertThat(Pte.pfn(rw)).isEqualTo(7);
    }

    @Test
    void noneIsNotPresent() {
        assertThat(Pte.present(Pte.NONE)).isFalse();
        assertThat(Pte.describe(Pte.NONE)).isEqualTo("none");
    }

    @Test
    void flagsOutsideTheFlagFieldAreRejected() {
        assertThatThrownBy(() -> Pte.make(1, 1L << 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pte.make(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
