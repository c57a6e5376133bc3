package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.explore.SimMemory.History;
import dev.tlbrace.harness.explore.SimMemory.Loaded;
import dev.tlbrace.harness.explore.SimMemory.Msg;
import dev.tlbrace.model.sync.Cell;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SimMemory} under {@code tso} (x86-TSO): a store goes into its role's FIFO buffer; a load
 * forwards from its own buffer, else reads memory, and the explorer chooses how much of the other
 * roles' buffers has drained (all of it by default). {@code smp_mb()} and every RMW (all are
 * LOCK-prefixed) drain the role's own buffer first; a wait loop's turn drains every buffer (no
 * fair machine lets a CPU spin on a stale value forever); setup and the judge see memory after
 * every buffer has drained. A buffer commits into the cell's coherence order, which
 * {@link SimMemory} keeps.
 */
final class TsoBuffers {
    /** A store still in a store buffer. */
    record Buffered(int cell, long value, int step) { }

    private final SimMemory mem;
    private final ControlledScheduler cs;
    private final List<ArrayDeque<Buffered>> buffers = new ArrayList<>(); // per role

    TsoBuffers(SimMemory mem, ControlledScheduler cs) {
        this.mem = mem;
        this.cs = cs;
    }

    private ArrayDeque<Buffered> buffer(int r) {
        while (buffers.size() <= r) {
            buffers.add(new ArrayDeque<>());
        }
        return buffers.get(r);
    }

    /** A load by role {@code r}: forwarded from its own buffer, else from memory ({@link #read}). */
    Loaded load(int r, Cell c, History h) {
        Buffered own = youngest(r, c.id());
        if (own != null) {
            cs.touch(Footprint.buffer(r), false);
            return new Loaded(own.value(), "");
        }
        long value = read(r, c, h).value();
        mem.readAt(r, c.id(), h.mo.get(h.last()));
        return new Loaded(value, missed(r, c, value));
    }

    /** A store by role {@code r}: into its buffer. */
    void store(int r, int cell, long v, int step) {
        buffer(r).addLast(new Buffered(cell, v, step));
    }

    /**
     * A load from memory: the explorer chooses how far the other roles' buffers have drained.
     * Option 0 drains them all; 1 drains none; then, per other role and per store it buffered to
     * this cell, drain that role up to and including that store.
     */
    Msg read(int r, Cell c, History h) {
        for (int j = 0; j < cs.roleCount(); j++) {
            if (j != r) {
                cs.touch(Footprint.buffer(j), false); // how far they drained is this load's choice
            }
        }
        List<int[]> partial = new ArrayList<>(); // {role, entries to drain}
        boolean any = false;
        for (int j = 0; j < buffers.size(); j++) {
            if (j == r) {
                continue;
            }
            int i = 0;
            for (Buffered b : buffers.get(j)) {
                i++;
                if (b.cell() == c.id()) {
                    any = true;
                    partial.add(new int[] {j, i});
                }
            }
        }
        if (any) {
            int k = cs.chooseRead(2 + partial.size());
            if (k == 0) {
                drainOthers(r);
            } else if (k >= 2) {
                int[] jp = partial.get(k - 2);
                for (int n = 0; n < jp[1]; n++) {
                    commit(jp[0]);
                }
            }
        }
        return h.mo.get(h.last());
    }

    /** The note for a value read from memory while another role still buffers a newer one. */
    String missed(int r, Cell c, long read) {
        Buffered missed = newestBufferedElsewhere(r, c.id());
        if (missed == null || missed.value() == read) {
            return "";
        }
        int owner = ownerOf(missed);
        return " (stale: " + Timeline.formatCell(c, missed.value()) + ", stored at step " + missed.step()
                + (owner >= 0 ? " by " + cs.roleName(owner) : "") + ", still in its store buffer)";
    }

    /**
     * Whether a role other than {@code r} still buffers a store to cell {@code id}; with
     * {@code high} set, one whose bits from {@code high} up differ from {@code firstValue}.
     */
    boolean othersBuffered(int r, int id, long high, long firstValue) {
        for (int j = 0; j < buffers.size(); j++) {
            if (j == r) {
                continue;
            }
            for (Buffered b : buffers.get(j)) {
                if (b.cell() == id && (high == 0 || (b.value() & -high) != firstValue)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code v}, the latest committed value of cell {@code id}, as it reads once every buffer drained (drainAll's order). */
    long refreshed(int id, long v) {
        for (int j = 0; j < buffers.size(); j++) { // the last role's store lands last
            Buffered b = youngest(j, id);
            if (b != null) {
                v = b.value();
            }
        }
        return v;
    }

    /** A turn of a wait loop: every store made so far becomes visible to the waiting role. */
    void spun() {
        for (int j = 0; j < cs.roleCount(); j++) {
            cs.touch(Footprint.buffer(j), false);
        }
        drainAll();
    }

    private Buffered youngest(int r, int cell) {
        if (r >= buffers.size()) {
            return null;
        }
        Buffered found = null;
        for (Buffered b : buffers.get(r)) {
            if (b.cell() == cell) {
                found = b;
            }
        }
        return found;
    }

    private Buffered newestBufferedElsewhere(int r, int cell) {
        Buffered found = null;
        for (int j = 0; j < buffers.size(); j++) {
            if (j != r) {
                Buffered b = youngest(j, cell);
                if (b != null && (found == null || b.step() > found.step())) {
                    found = b;
                }
            }
        }
        return found;
    }

    private int ownerOf(Buffered b) {
        for (int j = 0; j < buffers.size(); j++) {
            for (Buffered x : buffers.get(j)) {
                if (x == b) {
                    return j;
                }
            }
        }
        return -1;
    }

    private void commit(int j) {
        Buffered b = buffers.get(j).pollFirst();
        if (b != null) {
            cs.touch(Footprint.buffer(j), true);
            mem.touchWord(b.cell(), true);
            mem.cells.get(b.cell()).mo.add(new Msg(b.value(), j, b.step(), null));
        }
    }

    /** Commits every other role's buffered stores up to its youngest store to cell {@code id} (FIFO). */
    void drainThroughLatest(int r, int id) {
        for (int j = 0; j < buffers.size(); j++) {
            if (j == r) {
                continue;
            }
            Buffered youngest = youngest(j, id);
            while (youngest != null && !buffers.get(j).isEmpty()) {
                if (buffers.get(j).peekFirst() == youngest) {
                    commit(j);
                    break;
                }
                commit(j);
            }
        }
    }

    /**
     * Role {@code r}'s code has returned: what it still buffers reaches memory one store at a
     * time, each a step of its own, so other roles' steps and drains may come in between (the
     * judge's drain of what is left would commit them in role order, and miss the coherence
     * orders where two roles' buffers drain interleaved: 2+2W's final states).
     */
    void drainAtEnd(int r) {
        while (r < buffers.size() && !buffers.get(r).isEmpty()) {
            cs.access("store buffer drains", mem.cells.get(buffers.get(r).peekFirst().cell()).name);
            commit(r);
        }
    }

    /** Commits role {@code j}'s whole buffer (smp_mb(), an RMW). */
    void drain(int j) {
        if (j < buffers.size()) {
            while (!buffers.get(j).isEmpty()) {
                commit(j);
            }
        }
    }

    private void drainOthers(int r) {
        for (int j = 0; j < buffers.size(); j++) {
            if (j != r) {
                drain(j);
            }
        }
    }

    void drainAll() {
        for (int j = 0; j < buffers.size(); j++) {
            drain(j);
        }
    }
}
