package dev.tlbrace.harness.graph;

import java.util.Arrays;

/**
 * A binary relation over the events of one execution graph, as a bit matrix: the operators of
 * herd7's cat language ({@code | & \ ; ^-1 + * ?}, {@code [S]}, {@code acyclic},
 * {@code irreflexive}, {@code empty}) on rows of 64-bit words. Immutable; every operator
 * returns a new relation.
 */
public final class Rel {
    private final int n;
    private final int words;
    private final long[] bits; // row i at [i*words, (i+1)*words)

    private Rel(int n) {
        this.n = n;
        this.words = (n + 63) >>> 6;
        this.bits = new long[n * words];
    }

    public static Rel empty(int n) {
        return new Rel(n);
    }

    /** {@code id}: every event to itself. */
    public static Rel id(int n) {
        Rel r = new Rel(n);
        for (int i = 0; i < n; i++) {
            r.set(i, i);
        }
        return r;
    }

    /** {@code [S]}: the identity on the events of {@code set}. */
    public static Rel ident(int n, long[] set) {
        Rel r = new Rel(n);
        for (int i = 0; i < n; i++) {
            if (Sets.has(set, i)) {
                r.set(i, i);
            }
        }
        return r;
    }

    /** {@code A * B}: every event of a to every event of b. */
    public static Rel cross(int n, long[] a, long[] b) {
        Rel r = new Rel(n);
        for (int i = 0; i < n; i++) {
            if (Sets.has(a, i)) {
                System.arraycopy(b, 0, r.bits, i * r.words, r.words);
            }
        }
        return r;
    }

    public int size() {
        return n;
    }

    /** Mutates: for builders only, before the relation is shared. */
    public void set(int from, int to) {
        bits[from * words + (to >>> 6)] |= 1L << to;
    }

    public boolean has(int from, int to) {
        return (bits[from * words + (to >>> 6)] & (1L << to)) != 0;
    }

    public Rel union(Rel o) {
        Rel r = new Rel(n);
        for (int i = 0; i < bits.length; i++) {
            r.bits[i] = bits[i] | o.bits[i];
        }
        return r;
    }

    public Rel inter(Rel o) {
        Rel r = new Rel(n);
        for (int i = 0; i < bits.length; i++) {
            r.bits[i] = bits[i] & o.bits[i];
        }
        return r;
    }

    public Rel minus(Rel o) {
        Rel r = new Rel(n);
        for (int i = 0; i < bits.length; i++) {
            r.bits[i] = bits[i] & ~o.bits[i];
        }
        return r;
    }

    /** {@code this ; o}. */
    public Rel seq(Rel o) {
        Rel r = new Rel(n);
        if (o.isEmpty()) {
            return r;
        }
        for (int i = 0; i < n; i++) {
            int row = i * words;
            for (int w = 0; w < words; w++) {
                long b = bits[row + w];
                while (b != 0) {
                    int k = (w << 6) + Long.numberOfTrailingZeros(b);
                    b &= b - 1;
                    int orow = k * words;
                    for (int x = 0; x < words; x++) {
                        r.bits[row + x] |= o.bits[orow + x];
                    }
                }
            }
        }
        return r;
    }

    /** {@code [S] ; this}. */
    public Rel from(long[] set) {
        Rel r = new Rel(n);
        for (int i = 0; i < n; i++) {
            if (Sets.has(set, i)) {
                System.arraycopy(bits, i * words, r.bits, i * words, words);
            }
        }
        return r;
    }

    /** {@code this ; [S]}. */
    public Rel to(long[] set) {
        Rel r = new Rel(n);
        for (int i = 0; i < n; i++) {
            for (int w = 0; w < words; w++) {
                r.bits[i * words + w] = bits[i * words + w] & set[w];
            }
        }
        return r;
    }

    public Rel inverse() {
        Rel r = new Rel(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (has(i, j)) {
                    r.set(j, i);
                }
            }
        }
        return r;
    }

    /** {@code r+}: Warshall's closure on bit rows. */
    public Rel plus() {
        Rel r = new Rel(n);
        if (isEmpty()) {
            return r;
        }
        System.arraycopy(bits, 0, r.bits, 0, bits.length);
        for (int k = 0; k < n; k++) {
            int krow = k * words;
            long kbit = 1L << k;
            int kw = k >>> 6;
            for (int i = 0; i < n; i++) {
                int row = i * words;
                if ((r.bits[row + kw] & kbit) != 0) {
                    for (int x = 0; x < words; x++) {
                        r.bits[row + x] |= r.bits[krow + x];
                    }
                }
            }
        }
        return r;
    }

    /** {@code r*}. */
    public Rel star() {
        return plus().union(id(n));
    }

    /** {@code r?}. */
    public Rel opt() {
        return union(id(n));
    }

    public boolean isEmpty() {
        for (long b : bits) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public boolean irreflexive() {
        for (int i = 0; i < n; i++) {
            if (has(i, i)) {
                return false;
            }
        }
        return true;
    }

    /** Kahn's algorithm on the rows: O(n * words + edges), where {@code plus().irreflexive()} is O(n^2 * words). */
    public boolean acyclic() {
        int[] indegree = new int[n];
        for (int i = 0; i < n; i++) {
            for (int w = 0; w < words; w++) {
                for (long b = bits[i * words + w]; b != 0; b &= b - 1) {
                    indegree[(w << 6) + Long.numberOfTrailingZeros(b)]++;
                }
            }
        }
        int[] ready = new int[n];
        int head = 0;
        int tail = 0;
        for (int i = 0; i < n; i++) {
            if (indegree[i] == 0) {
                ready[tail++] = i;
            }
        }
        while (head < tail) {
            int i = ready[head++];
            for (int w = 0; w < words; w++) {
                for (long b = bits[i * words + w]; b != 0; b &= b - 1) {
                    int j = (w << 6) + Long.numberOfTrailingZeros(b);
                    if (--indegree[j] == 0) {
                        ready[tail++] = j;
                    }
                }
            }
        }
        return tail == n; // a cycle (a self-loop included) keeps its events' indegree above 0
    }

    /** {@code domain(r)}. */
    public long[] domain() {
        long[] s = Sets.none(n);
        for (int i = 0; i < n; i++) {
            for (int w = 0; w < words; w++) {
                if (bits[i * words + w] != 0) {
                    Sets.add(s, i);
                    break;
                }
            }
        }
        return s;
    }

    /** {@code range(r)}. */
    public long[] range() {
        long[] s = Sets.none(n);
        for (int i = 0; i < n; i++) {
            for (int w = 0; w < words; w++) {
                s[w] |= bits[i * words + w];
            }
        }
        return s;
    }

    /** One pair of the relation, as {from, to}, or null when it is empty. */
    public int[] somePair() {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (has(i, j)) {
                    return new int[] {i, j};
                }
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rel r && r.n == n && Arrays.equals(r.bits, bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (has(i, j)) {
                    sb.append(sb.length() > 1 ? ", " : "").append(i).append("->").append(j);
                }
            }
        }
        return sb.append('}').toString();
    }
}
