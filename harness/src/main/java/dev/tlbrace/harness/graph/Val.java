package dev.tlbrace.harness.graph;

/**
 * A value in memory or a register: an integer, or the address of a shared location (the
 * pointers of {@code rcu_dereference} and address dependencies), possibly with an integer
 * offset ({@code x+r2} in LISA address arithmetic).
 *
 * @param loc    the location whose address this is, or null for an integer
 * @param number the integer, or the offset from {@code loc}
 */
public record Val(String loc, long number) {

    public static final Val ZERO = new Val(null, 0);

    public static Val of(long n) {
        return n == 0 ? ZERO : new Val(null, n);
    }

    public static Val address(String loc) {
        return new Val(loc, 0);
    }

    public boolean isAddress() {
        return loc != null;
    }

    /** C truth: non-zero integers and every address are true. */
    public boolean truthy() {
        return loc != null || number != 0;
    }

    @Override
    public String toString() {
        if (loc == null) {
            return Long.toString(number);
        }
        return number == 0 ? loc : loc + "+" + number;
    }
}
