package dev.tlbrace.harness.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bit-row relation algebra against its definitions, on random relations of one and several words a row. */
class RelTest {
    @Test
    void acyclicAgreesWithTheClosureAndSeqWithItsDefinition() {
        Random rnd = new Random(27);
        int cyclic = 0;
        for (int round = 0; round < 400; round++) {
            int n = 1 + rnd.nextInt(round % 2 == 0 ? 20 : 140); // 140: three words a row
            double density = rnd.nextDouble() * 3 / n;
            Rel a = random(n, density, rnd);
            Rel b = random(n, density, rnd);
            boolean byClosure = a.plus().irreflexive();
            assertThat(a.acyclic()).as("n=%d round %d", n, round).isEqualTo(byClosure);
            cyclic += byClosure ? 0 : 1;
            Rel ab = a.seq(b);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    boolean via = false;
                    for (int k = 0; k < n && !via; k++) {
                        via = a.has(i, k) && b.has(k, j);
                    }
                    assertThat(ab.has(i, j)).isEqualTo(via);
                }
            }
            assertThat(a.seq(Rel.empty(n)).isEmpty()).isTrue();
        }
        assertThat(cyclic).as("the rounds cover cyclic and acyclic relations").isBetween(40, 360);
        Rel loop = Rel.empty(70);
        loop.set(69, 69);
        assertThat(loop.acyclic()).as("a self-loop in the second word").isFalse();
    }

    private static Rel random(int n, double density, Random rnd) {
        Rel r = Rel.empty(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (rnd.nextDouble() < density) {
                    r.set(i, j);
                }
            }
        }
        return r;
    }
}
