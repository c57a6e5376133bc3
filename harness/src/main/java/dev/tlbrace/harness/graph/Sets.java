package dev.tlbrace.harness.graph;

/** Sets of events as 64-bit words, the companion of {@link Rel}'s rows. */
public final class Sets {
    private Sets() {
    }

    public static long[] none(int n) {
        return new long[(n + 63) >>> 6];
    }

    public static long[] all(int n) {
        long[] s = none(n);
        for (int i = 0; i < n; i++) {
            add(s, i);
        }
        return s;
    }

    public static void add(long[] s, int i) {
        s[i >>> 6] |= 1L << i;
    }

    public static boolean has(long[] s, int i) {
        return (s[i >>> 6] & (1L << i)) != 0;
    }

    public static long[] union(long[] a, long[] b) {
        long[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] |= b[i];
        }
        return r;
    }

    public static long[] inter(long[] a, long[] b) {
        long[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] &= b[i];
        }
        return r;
    }

    public static long[] minus(long[] a, long[] b) {
        long[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] &= ~b[i];
        }
        return r;
    }

    /** The complement within the first n events. */
    public static long[] complement(int n, long[] a) {
        return minus(all(n), a);
    }

    public static boolean isEmpty(long[] a) {
        for (long w : a) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }
}
