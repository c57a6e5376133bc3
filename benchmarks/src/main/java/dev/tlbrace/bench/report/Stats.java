package dev.tlbrace.bench.report;

import dev.tlbrace.bench.report.Rows.Samples;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Confidence intervals by the hierarchical bootstrap: resample forks with replacement, then
 * iterations within each chosen fork (Kalibera and Jones, "Rigorous Benchmarking in Reasonable
 * Time", ISMM 2013). Forks are resampled because most of the variation on a shared machine is
 * between JVMs (JIT decisions, placement, the host), and iterations of one fork are not
 * independent of each other. Deterministic: the seed comes from the quantity's name.
 */
public final class Stats {
    private Stats() { }

    static final int RESAMPLES = 4000;
    static final double LEVEL = 0.95;

    /** A point estimate and its 95% interval. */
    public record Interval(double estimate, double lo, double hi) {
        /** For a ratio: the interval holds 1.0, so no difference was measured. */
        public boolean spansOne() {
            return lo <= 1.0 && hi >= 1.0;
        }

        public boolean overlaps(Interval o) {
            return lo <= o.hi && o.lo <= hi;
        }
    }

    public static Interval mean(Samples a, String name) {
        if (count(a) < 2) {
            return new Interval(a.mean(), 0, Double.POSITIVE_INFINITY);
        }
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        double[] boot = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            boot[b] = resampledMean(a.forks(), rnd);
        }
        return interval(a.mean(), boot);
    }

    /** The ratio of the means of two independent measurements, a / b. */
    public static Interval ratio(Samples a, Samples b, String name) {
        if (count(a) < 2 || count(b) < 2) {
            return new Interval(a.mean() / b.mean(), 0, Double.POSITIVE_INFINITY); // one sample: no interval, no claim
        }
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        double[] boot = new double[RESAMPLES];
        for (int i = 0; i < RESAMPLES; i++) {
            boot[i] = resampledMean(a.forks(), rnd) / resampledMean(b.forks(), rnd);
        }
        return interval(a.mean() / b.mean(), boot);
    }

    private static long count(Samples s) {
        long n = 0;
        for (double[] f : s.forks()) {
            n += f.length;
        }
        return n;
    }

    private static double resampledMean(double[][] forks, SplittableRandom rnd) {
        double sum = 0;
        long n = 0;
        for (int k = 0; k < forks.length; k++) {
            double[] f = forks[rnd.nextInt(forks.length)];
            for (int j = 0; j < f.length; j++) {
                sum += f[rnd.nextInt(f.length)];
            }
            n += f.length;
        }
        return sum / n;
    }

    private static Interval interval(double estimate, double[] boot) {
        Arrays.sort(boot);
        double tail = (1 - LEVEL) / 2;
        int lo = (int) Math.floor(tail * (boot.length - 1));
        int hi = (int) Math.ceil((1 - tail) * (boot.length - 1));
        return new Interval(estimate, boot[lo], boot[hi]);
    }
}
