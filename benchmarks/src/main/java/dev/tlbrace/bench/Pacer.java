package dev.tlbrace.bench;

/**
 * Paces one thread at one operation per period, so every peer in a comparison faces the same
 * offered load: a writer that runs flat out runs at a different rate per peer, and a reader
 * measured against a slower writer gets more quiet windows. The slots are fixed in time: a
 * thread held up (a GC pause, a parked lock waiter, the other thread on its CPU) works off up to
 * {@link #BACKLOG_NS} of missed slots back to back, so the offered rate is kept on average; one that
 * cannot sustain it falls behind, and its achieved rate (JMH's per-method score) shows it.
 * Owned by one benchmark thread; a period of 0 means flat out.
 */
public final class Pacer {
    /** How far behind a held-up thread may fall and still work it off; older slots are dropped. */
    static final long BACKLOG_NS = 5_000_000;

    private final long periodNs;
    private long next;

    public Pacer(long periodNs) {
        this.periodNs = periodNs;
    }

    /** Spins (the thread keeps its CPU, like a busy writer) until the next slot. */
    public void await() {
        if (periodNs <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (next == 0) {
            next = now;
        }
        while (now < next) {
            Thread.onSpinWait();
            now = System.nanoTime();
        }
        next = Math.max(next + periodNs, now - BACKLOG_NS);
    }
}
