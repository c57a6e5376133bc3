package dev.tlbrace.harness.soak;

/**
 * One role's bounded ring of recent events (time, trace-point label, last observed value), like
 * a per-CPU ftrace buffer. Written only by its role's thread; read after the threads stopped.
 * A spin that repeats the latest event's label is folded into it (a count and the last time), so
 * a role waiting in a loop keeps the real events that led there instead of a ring of spins.
 */
final class EventRing {
    private final String role;
    private final long[] time;
    private final String[] label;
    private final String[] valueWhat;
    private final long[] value;
    private final long[] repeats; // further identical spins folded into the event
    private final long[] lastTime;
    private final boolean[] spin;
    private long next; // confined to the owning thread; read after join
    private boolean broken; // this role saw the violation; read after join

    EventRing(String role, int capacity) {
        this.role = role;
        this.time = new long[capacity];
        this.label = new String[capacity];
        this.valueWhat = new String[capacity];
        this.value = new long[capacity];
        this.repeats = new long[capacity];
        this.lastTime = new long[capacity];
        this.spin = new boolean[capacity];
    }

    void add(long nanos, String l) {
        add(nanos, l, false);
    }

    /** A spin-loop iteration: folded into the latest event if that was the same spin. */
    void addSpin(long nanos, String l) {
        add(nanos, l, true);
    }

    private void add(long nanos, String l, boolean isSpin) {
        if (isSpin && next > 0) {
            int last = (int) ((next - 1) % time.length);
            if (spin[last] && label[last].equals(l)) {
                repeats[last]++;
                lastTime[last] = nanos;
                return;
            }
        }
        int i = (int) (next++ % time.length);
        time[i] = nanos;
        lastTime[i] = nanos;
        label[i] = l;
        valueWhat[i] = null;
        repeats[i] = 0;
        spin[i] = isSpin;
    }

    /** Attaches a value to the latest event. */
    void observe(String what, long v) {
        if (next == 0) {
            return;
        }
        int i = (int) ((next - 1) % time.length);
        valueWhat[i] = what;
        value[i] = v;
    }

    String role() {
        return role;
    }

    /** This role's oracle saw the violation (its latest event says what). */
    void markBroken() {
        broken = true;
    }

    boolean broken() {
        return broken;
    }

    /** Events oldest first: {time, index} pairs resolved by the caller. */
    int size() {
        return (int) Math.min(next, time.length);
    }

    int indexOf(int k) {
        long first = next - size();
        return (int) ((first + k) % time.length);
    }

    long time(int i) { return time[i]; }

    String label(int i) { return label[i]; }

    String valueWhat(int i) { return valueWhat[i]; }

    long value(int i) { return value[i]; }

    /** How many more times the event's spin repeated, and when the last one was. */
    long repeats(int i) { return repeats[i]; }

    long lastTime(int i) { return lastTime[i]; }
}
