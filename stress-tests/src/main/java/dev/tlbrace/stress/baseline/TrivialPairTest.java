package dev.tlbrace.stress.baseline;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Not a race: the cheapest two-actor test jcstress can run (each actor writes its own result
 * and shares nothing), the floor that {@code SampleRate} divides every scenario's sample rate
 * by. The gate never selects it.
 */
@JCStressTest
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "each actor wrote its own result")
@Outcome(expect = FORBIDDEN, desc = "a result was lost: jcstress itself is broken")
@State
public class TrivialPairTest {
    @Actor
    public void first(II_Result r) {
        r.r1 = 1;
    }

    @Actor
    public void second(II_Result r) {
        r.r2 = 2;
    }
}
