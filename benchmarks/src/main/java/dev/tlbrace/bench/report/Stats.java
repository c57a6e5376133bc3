package dev.tlbrace.bench.report;

import dev.tlbrace.bench.report.Rows.Samples;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * 95% confidence intervals with the fork as the unit of replication: each fork's mean over its
 * iterations is one observation. Most of the variation on a shared machine is between JVMs (JIT
 * decisions, placement, the host), and the iterations of one fork are not independent of each
 * other, so an interval over iterations claims far more than a re-run will bear (Kalibera and
 * Jones, "Rigorous Benchmarking in Reasonable Time", ISMM 2013). A rate: Student's t over the
 * fork means. A ratio a/b of two independent measurements: Welch's t on the difference of the
 * logs of the fork means (Welch-Satterthwaite degrees of freedom), exponentiated, so the
 * interval is a ratio too and is symmetric in log space. One fork gives no interval.
 * <p>First written as a hierarchical bootstrap over forks and iterations; with three forks it
 * gave intervals that two runs of the same jar fell outside of (docs/benchmarks.md).
 */
public final class Stats {
    private Stats() { }

    static final double LEVEL = 0.95;

    /** A point estimate and its 95% interval; an infinite {@code hi} means there is none. */
    public record Interval(double estimate, double lo, double hi) {
        /** For a ratio: the interval holds 1.0, so no difference was measured. */
        public boolean spansOne() {
            return lo <= 1.0 && hi >= 1.0;
        }

        public boolean overlaps(Interval o) {
            return lo <= o.hi && o.lo <= hi;
        }
    }

    /** The mean of the fork means, with a t interval. */
    public static Interval mean(Samples a) {
        double[] m = forkMeans(a);
        double mean = avg(m);
        if (m.length < 2) {
            return new Interval(mean, 0, Double.POSITIVE_INFINITY);
        }
        double half = t(m.length - 1) * Math.sqrt(var(m) / m.length);
        return new Interval(mean, mean - half, mean + half);
    }

    /** The ratio of the means of two independent measurements, a / b. */
    public static Interval ratio(Samples a, Samples b) {
        double[] ma = forkMeans(a);
        double[] mb = forkMeans(b);
        double[] la = logs(ma);
        double[] lb = logs(mb);
        double estimate = avg(ma) / avg(mb);
        if (la.length < 2 || lb.length < 2) {
            return new Interval(estimate, 0, Double.POSITIVE_INFINITY); // one fork: no interval, no claim
        }
        double va = var(la) / la.length;
        double vb = var(lb) / lb.length;
        double se = Math.sqrt(va + vb);
        double d = avg(la) - avg(lb);
        if (se == 0) {
            return new Interval(estimate, Math.exp(d), Math.exp(d));
        }
        double df = (va + vb) * (va + vb) / (va * va / (la.length - 1) + vb * vb / (lb.length - 1));
        double half = t(df) * se;
        return new Interval(estimate, Math.exp(d - half), Math.exp(d + half));
    }

    private static double t(double df) {
        return new TDistribution(null, df).inverseCumulativeProbability(1 - (1 - LEVEL) / 2);
    }

    static double[] forkMeans(Samples s) {
        double[] m = new double[s.forks().length];
        for (int f = 0; f < m.length; f++) {
            m[f] = avg(s.forks()[f]);
        }
        return m;
    }

    private static double[] logs(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.log(Math.max(v[i], Double.MIN_NORMAL)); // a zero rate (no faults at all) stays finite
        }
        return out;
    }

    private static double avg(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double var(double[] v) {
        double m = avg(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return s / (v.length - 1);
    }
}
