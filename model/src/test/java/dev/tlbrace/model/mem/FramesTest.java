package dev.tlbrace.model.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlbrace.model.sync.Memory;
import org.junit.jupiter.api.Test;

class FramesTest {
    private final Frames frames = new Frames(4, Memory.hardware());

    @Test
    void freeBumpsTheGenerationSoAnOldReferenceIsNoLongerLive() {
        int pfn = frames.allocPage(Frames.OWNER_ANON);
        long ref = frames.ref(pfn);
        assertThat(frames.isLive(ref)).isTrue();
        frames.putPage(pfn);
        assertThat(frames.owner(pfn)).isEqualTo(Frames.FREE);
        assertThat(frames.isLive(ref)).isFalse();
    }

    @Test
    void aFreedFrameIsTheNextOneHandedOutAndStaysDistinguishable() {
        int pfn = frames.allocPage(Frames.OWNER_ANON);
        long ref = frames.ref(pfn);
        frames.putPage(pfn);
        int reused = frames.allocPage(Frames.OWNER_OTHER);
        assertThat(reused).isEqualTo(pfn);
        assertThat(frames.isLive(ref)).isFalse();
        assertThat(frames.isLive(frames.ref(reused))).isTrue();
        assertThat(FrameRef.generation(frames.ref(reused))).isEqualTo(FrameRef.generation(ref) + 1);
    }

    @Test
    void aHeldReferenceKeepsTheFrameAllocated() {
        int pfn = frames.allocPage(Frames.OWNER_ANON);
        frames.getPage(pfn);
        frames.putPage(pfn);
        assertThat(frames.isLive(frames.ref(pfn))).isTrue();
        frames.putPage(pfn);
        assertThat(frames.owner(pfn)).isEqualTo(Frames.FREE);
    }

    @Test
    void putPageBelowZeroIsABug() {
        int pfn = frames.allocPage(Frames.OWNER_ANON);
        frames.putPage(pfn);
        assertThatThrownBy(() -> frames.putPage(pfn)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pfnZeroIsNeverHandedOutAndExhaustionReturnsMinusOne() {
        for (int i = 0; i < 3; i++) {
            assertThat(frames.allocPage(Frames.OWNER_ANON)).isPositive();
        }
        assertThat(frames.allocPage(Frames.OWNER_ANON)).isEqualTo(-1);
        assertThat(frames.isLive(FrameRef.NONE)).isFalse();
    }
}
