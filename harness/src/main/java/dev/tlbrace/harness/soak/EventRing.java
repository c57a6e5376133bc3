package dev.tlbrace.harness.soak;

/**
 * One role's bounded ring of recent events (time, trace-point label, last observed value), like
 * a per-CPU ftrace buffer. Written only by its role's thread; read after the threads stopped.
 */
final class EventRing {
    private final String role;
    private final long[] time;
    private final String[] label;
    private final String[] valueWhat;
    private final long[] value;
    private long next; // confined to the owning thread; read after join

    EventRing(String role, int capacity) {
        this.role = role;
        this.time = new long[capacity];
        this.label = new String[capacity];
        this.valueWhat = new String[capacity];
        this.value = new long[capacity];
    }

    void add(long nanos, String l) {
        int i = (int) (next++ % time.length);
        time[i] = nanos;
        label[i] = l;
        valueWhat[i] = null;
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
}
