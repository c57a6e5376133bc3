package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A counterexample as a C litmus test in herd7's dialect (tools/memory-model), so that the
 * memory-ordering argument can be checked by anyone with herd7 or {@code tlbrace litmus}: the
 * counterexample's shared-memory skeleton, not the model's Java.
 *
 * <p>What it writes, from the {@link MemoryLog} a printed execution carries:
 * <ul>
 * <li>one location per shared cell, named after it ({@code kvm->mmu_invalidate_seq} becomes
 *     {@code kvm_mmu_invalidate_seq}), with the cell's initial value in the {@code { }} block;</li>
 * <li>one {@code P<n>} per role, its accesses in program order with the kernel primitive the
 *     model called ({@code READ_ONCE}, {@code smp_store_release}, {@code xchg}, {@code cmpxchg*},
 *     {@code atomic_add_return*}, {@code spin_lock}, {@code smp_wmb}, ...), each read into a
 *     register, a comment naming the kernel function above each run of its accesses;</li>
 * <li>loops as the iterations this execution ran, one after the other: no {@code if}, no
 *     {@code while}, and so no control or data dependency (the explorer's graph has none either:
 *     {@link LkmmGraph});</li>
 * <li>{@code exists}: every read's value, and the final value of each location more than one
 *     store went to (which store came last in coherence).</li>
 * </ul>
 * The events are the ones the explorer's graph had, tagged alike, so the exists clause holds in
 * the very execution the explorer found: {@code tlbrace litmus} answers Sometimes.
 *
 * <p>Left out, as {@link LkmmGraph} leaves them out of what the model judges: a cell only one
 * role touched with none of its accesses ordered (no acquire, release, fully ordered RMW or lock,
 * and no RMW a {@code smp_mb__before_atomic()} / {@code smp_mb__after_atomic()} applies to).
 * Such an access has no edge to another CPU and passes on no ordering.
 *
 * <p>What does not map one to one, and how:
 * <ul>
 * <li>Every returning RMW but {@code xchg} and {@code cmpxchg} ({@code atomic_add_return*},
 *     {@code test_and_set_bit}, {@code test_and_clear_bit}, which linux-kernel.def lacks):
 *     {@code xchg} of the same ordering writing the value this execution wrote, the original in
 *     a comment. The events and their tags are the same; an add would make the checker offer
 *     its reads every sum its chains of adds can reach, which it cannot enumerate; {@code set_bit} / {@code clear_bit}:
 *     {@code atomic_add} of the difference this execution made (both no-return, relaxed). The
 *     events are the same; what another read-from choice would write is not, which matters only
 *     when the file is asked for Never (a comment on the line says so).</li>
 * <li>A weakened ordering point ({@code fences}): written weakened, the original in a comment on
 *     its line; {@code restore} writes it back. A weakened {@code spin_lock} or
 *     {@code spin_unlock} turns its whole lock into a word: {@code spin_lock} a successful
 *     {@code cmpxchg_acquire(l, 0, 1)}, {@code spin_unlock} a {@code smp_store_release(l, 0)},
 *     weakened {@code cmpxchg_relaxed} and {@code WRITE_ONCE}, since lock.cat has no relaxed
 *     lock. Restored, the lock is lock.cat's again.</li>
 * <li>Values are the model's words as numbers (a PTE's pfn and flag bits, a pfn, a sequence
 *     count); a pointer never is one.</li>
 * </ul>
 * With the removed point put back the same exists clause answers Never where the skeleton
 * carries the protocol's argument; where the argument rests on what the skeleton drops (the value
 * a retry loop's exit tested, which the skeleton has no branch for; a lock word written as a
 * word) it may still answer Sometimes: the tests name those.
 */
public final class LitmusExport {
    private LitmusExport() { }

    /**
     * Where a counterexample came from, for the file's name and header.
     *
     * @param form     the form (invalidation path), or null for the base one
     * @param schedule the replayable schedule
     * @param weakened the ordering point {@code fences} weakened, or null
     */
    public record Origin(String scenario, String variant, String form, String model, String schedule,
                         OrderingPoint weakened) { }

    /** Whether the execution carries what {@link #write} needs (it was recorded for printing). */
    public static boolean exportable(Execution e) {
        return e != null && e.memory() != null && !e.memory().accesses().isEmpty();
    }

    /** Whether some access of {@code e} was weakened: {@link #write} with {@code restore} then differs. */
    public static boolean weakened(Execution e) {
        return e.memory().accesses().stream().anyMatch(SharedAccess::weakened);
    }

    /**
     * The litmus test.
     *
     * @param restore write every weakened access as the model called it (the barrier put back), with
     *                no Result line: whether the exists clause is then Never is the question
     */
    public static String write(Execution e, Origin o, boolean restore) {
        return write(e, o, restore, null);
    }

    /**
     * One skeleton: the locations it keeps (cell ids), smallest first in {@link #skeletons}.
     *
     * @param name what it keeps, in words
     */
    public record Skeleton(String name, Set<Integer> cells) { }

    /**
     * The skeletons worth trying, smallest first, each a superset of the one before and each
     * distinct: (1) the cells a read read stale or read from another role's store (the message
     * that told it the newer state), with the weakened point's lock if it is one; (2) with every
     * lock two roles take; (3) with every cell two roles touch; (4) every cell {@link #write}
     * keeps. Dropping a whole location from an execution keeps it an execution (every axiom of
     * linux-kernel.cat is acyclicity, irreflexivity or emptiness of relations that only lose
     * edges with it), so each answers Sometimes; a smaller one is one a reader can follow and
     * the checker can enumerate, a bigger one may be needed for Never with the point put back.
     */
    public static List<Skeleton> skeletons(Execution e) {
        List<SharedAccess> all = e.memory().accesses();
        Set<Integer> kept = keptCells(all);
        Map<Integer, Set<Integer>> roles = new HashMap<>();
        Set<Integer> locks = new HashSet<>();
        Set<Integer> core = new java.util.TreeSet<>();
        for (SharedAccess a : all) {
            if (a.cellId() < 0 || !kept.contains(a.cellId())) {
                continue;
            }
            roles.computeIfAbsent(a.cellId(), k -> new HashSet<>()).add(a.role());
            boolean lock = a.op() == SharedAccess.Op.LOCK || a.op() == SharedAccess.Op.UNLOCK;
            if (lock) {
                locks.add(a.cellId());
                if (a.weakened()) {
                    core.add(a.cellId());
                }
            }
            if (a.stale() || !lock && a.readFrom() >= 0 && a.readFrom() != a.role() && reads(a)) {
                core.add(a.cellId());
            }
        }
        for (SharedAccess a : all) {
            if (locks.contains(a.cellId())) {
                core.remove(a.cellId()); // a lock word is no message: only the weakened one, added back below
            }
        }
        for (SharedAccess a : all) {
            if (a.weakened() && locks.contains(a.cellId())) {
                core.add(a.cellId());
            }
        }
        List<Skeleton> out = new ArrayList<>();
        add(out, "the locations read stale or read from another role", core);
        Set<Integer> withLocks = new java.util.TreeSet<>(core);
        locks.stream().filter(id -> roles.getOrDefault(id, Set.of()).size() > 1).forEach(withLocks::add);
        add(out, "with the locks two roles take", withLocks);
        Set<Integer> shared = new java.util.TreeSet<>(withLocks);
        roles.forEach((id, rs) -> {
            if (rs.size() > 1) {
                shared.add(id);
            }
        });
        add(out, "every location two roles touch", shared);
        add(out, "every location, less those one role touches without ordering", new java.util.TreeSet<>(kept));
        return out;
    }

    private static boolean reads(SharedAccess a) {
        return a.op() != SharedAccess.Op.STORE && a.op() != SharedAccess.Op.UNLOCK && a.op() != SharedAccess.Op.FENCE;
    }

    private static void add(List<Skeleton> out, String name, Set<Integer> cells) {
        if (!cells.isEmpty() && (out.isEmpty() || !out.get(out.size() - 1).cells().equals(cells))) {
            out.add(new Skeleton(name, Set.copyOf(cells)));
        }
    }

    /**
     * The litmus test of one skeleton.
     *
     * @param only the locations to keep ({@link #skeletons}), or null for every one {@link #keptCells} keeps
     */
    public static String write(Execution e, Origin o, boolean restore, Skeleton only) {
        if (!exportable(e)) {
            throw new IllegalArgumentException("no shared accesses recorded: run the execution again with recording on");
        }
        Set<Integer> kept = new HashSet<>(keptCells(e.memory().accesses()));
        if (only != null) {
            kept.retainAll(only.cells());
        }
        Map<Integer, Map<Long, Long>> renaming = renaming(e.memory(), kept);
        List<SharedAccess> all = renamed(e.memory().accesses(), renaming);
        Map<Integer, Long> finals = new HashMap<>();
        e.memory().finalValues().forEach((id, v) -> finals.put(id, renaming.getOrDefault(id, Map.of()).getOrDefault(v, v)));
        Map<Integer, String> names = locationNames(all, kept);
        Set<Integer> lockWords = new HashSet<>();  // lock.cat's locks
        Set<Integer> lockAsWord = new HashSet<>(); // locks with a weakened lock or unlock: a word
        for (SharedAccess a : all) {
            if (a.op() == SharedAccess.Op.LOCK || a.op() == SharedAccess.Op.UNLOCK) {
                lockWords.add(a.cellId());
                if (a.weakened() && !restore) {
                    lockAsWord.add(a.cellId());
                }
            }
        }
        lockWords.removeAll(lockAsWord);

        StringBuilder out = new StringBuilder();
        String name = o.scenario() + "+" + o.variant() + (o.form() == null ? "" : "+" + o.form())
                + (o.weakened() == null ? "" : "+weak-" + o.weakened().primitive() + "-in-"
                        + (o.weakened().function() == null ? "start" : o.weakened().function()))
                + (restore ? "+restored" : "");
        out.append("C ").append(name.replaceAll("[^A-Za-z0-9_+.-]+", "-")).append("\n\n(*\n");
        if (!restore) {
            out.append(" * Result: Sometimes\n *\n");
        }
        String command = "tlbrace explore " + o.scenario() + " --variant " + o.variant()
                + (o.form() == null ? "" : " --form " + o.form()) + " --memory-model " + o.model();
        out.append(" * ").append(safe(command)).append("\n *\n");
        comment(out, "The shared-memory skeleton of its counterexample"
                + (e.verdict() != null ? ", which ends " + e.verdict().outcome() : "") + (o.weakened() == null ? ""
                : ", found with the ordering point " + o.weakened() + (restore ? " put back here" : " weakened")) + ".");
        comment(out, "schedule: " + o.schedule());
        for (int r = 0; r < e.roles().size(); r++) {
            List<String> fns = new ArrayList<>();
            for (SharedAccess a : all) {
                if (a.role() == r && keep(a, kept) && a.function() != null && !fns.contains(a.function())) {
                    fns.add(a.function());
                }
            }
            comment(out, "P" + r + ": " + e.roles().get(r) + (fns.isEmpty() ? "" : " (" + String.join("; ", fns) + ")"));
        }
        for (Map.Entry<Integer, Map<Long, Long>> ren : renaming.entrySet()) {
            String cell = all.stream().filter(a -> a.cellId() == ren.getKey()).findFirst().map(SharedAccess::cell).orElse("?");
            List<String> meaning = new ArrayList<>();
            ren.getValue().forEach((was, now) -> meaning.add(now + " is " + Timeline.formatCell(cell, was)));
            comment(out, names.get(ren.getKey()) + " (" + cell + ") holds the model's values renumbered, so that the checker, "
                    + "which offers every read every constant, can enumerate them: " + String.join(", ", meaning) + ".");
        }
        comment(out, "Each loop appears as the turns this execution ran; the exists clause pins each read's value and, "
                + "where more than one store went to a location, the one coherence put last. Written by tlbrace "
                + "(LitmusExport); check it with `tlbrace litmus FILE` or herd7 -conf linux-kernel.cfg FILE.");
        out.append(" *)\n\n{\n");
        for (Map.Entry<Integer, String> n : names.entrySet()) {
            if (!lockWords.contains(n.getKey())) {
                out.append("\t").append(n.getValue()).append("=").append(initOf(all, n.getKey())).append(";\n");
            }
        }
        out.append("}\n");

        Set<SharedAccess> quiet = quietReads(all);
        List<String> exists = new ArrayList<>();
        for (int r = 0; r < e.roles().size(); r++) {
            List<String> body = new ArrayList<>();
            Set<Integer> used = new java.util.TreeSet<>();
            int regs = 0;
            String lastFn = null;
            for (SharedAccess a : all) {
                if (a.role() != r || !keep(a, kept) || quiet.contains(a)) {
                    continue;
                }
                if (a.function() != null && !a.function().equals(lastFn)) {
                    body.add("\t/* " + safe(a.function()) + " */");
                    lastFn = a.function();
                }
                String loc = a.cellId() < 0 ? null : names.get(a.cellId());
                if (loc != null) {
                    used.add(a.cellId());
                }
                Line l = line(a, loc, restore, lockWords.contains(a.cellId()), "r" + regs);
                body.add("\t" + l.code() + (l.note() == null ? "" : "  /* " + safe(l.note()) + " */"));
                if (l.pinned() != null) {
                    exists.add(r + ":r" + regs + "=" + l.pinned());
                    regs++;
                }
            }
            List<String> params = new ArrayList<>();
            for (int id : used) {
                params.add((lockWords.contains(id) ? "spinlock_t *" : "int *") + names.get(id));
            }
            out.append("\nP").append(r).append("(").append(String.join(", ", params)).append(")\n{\n");
            for (int i = 0; i < regs; i++) {
                out.append("\tint r").append(i).append(";\n");
            }
            if (regs > 0) {
                out.append("\n");
            }
            for (String b : body) {
                out.append(b).append("\n");
            }
            out.append("}\n");
        }
        boolean noReads = exists.isEmpty(); // then pin every location's final value, not only the contested ones
        for (Map.Entry<Integer, String> n : names.entrySet()) {
            int id = n.getKey();
            long stores = all.stream().filter(a -> a.cellId() == id && a.wrote()).count();
            Long fin = finals.get(id);
            if ((stores > 1 || noReads && stores > 0) && fin != null && !lockWords.contains(id)) {
                exists.add(n.getValue() + "=" + fin);
            }
        }
        if (exists.isEmpty()) {
            throw new IllegalArgumentException("nothing to pin: the counterexample reads no shared location and leaves none changed");
        }
        out.append("\nexists (").append(String.join(" /\\ ", exists)).append(")\n");
        return out.toString();
    }

    /**
     * Per kept location whose values are not all small (a PTE, a pfn, a request bit high in the
     * word): the model's values renumbered 0, 1, 2, ... in increasing order. Loads, stores,
     * {@code xchg} and {@code cmpxchg} only compare and copy values, so a one-to-one renaming
     * keeps every execution; an add is written as the difference of the renamed values it read
     * and wrote (see the class comment).
     */
    private static Map<Integer, Map<Long, Long>> renaming(MemoryLog log, Set<Integer> kept) {
        Map<Integer, java.util.TreeSet<Long>> values = new java.util.TreeMap<>();
        for (SharedAccess a : log.accesses()) {
            if (a.cellId() < 0 || !kept.contains(a.cellId())) {
                continue;
            }
            java.util.TreeSet<Long> vs = values.computeIfAbsent(a.cellId(), k -> new java.util.TreeSet<>());
            vs.add(a.init());
            if (a.op() != SharedAccess.Op.STORE && a.op() != SharedAccess.Op.UNLOCK) {
                vs.add(a.read());
            }
            if (a.wrote()) {
                vs.add(a.written());
            }
            if (a.op() == SharedAccess.Op.CMPXCHG) {
                vs.add(a.expect());
                vs.add(a.written());
            }
            Long fin = log.finalValues().get(a.cellId());
            if (fin != null) {
                vs.add(fin);
            }
        }
        Map<Integer, Map<Long, Long>> out = new java.util.TreeMap<>();
        values.forEach((id, vs) -> {
            if (vs.first() < -SMALL || vs.last() > SMALL) {
                Map<Long, Long> m = new LinkedHashMap<>();
                for (long v : vs) {
                    m.put(v, (long) m.size());
                }
                out.put(id, m);
            }
        });
        return out;
    }

    /** Values up to this (in magnitude) are kept as they are: counts, flags, small sequence numbers. */
    private static final long SMALL = 15;

    private static List<SharedAccess> renamed(List<SharedAccess> all, Map<Integer, Map<Long, Long>> renaming) {
        List<SharedAccess> out = new ArrayList<>(all.size());
        for (SharedAccess a : all) {
            Map<Long, Long> m = renaming.get(a.cellId());
            if (m == null) {
                out.add(a);
                continue;
            }
            out.add(new SharedAccess(a.role(), a.function(), a.op(), a.primitive(), a.order(), a.cell(), a.cellId(),
                    m.getOrDefault(a.init(), a.init()), m.getOrDefault(a.read(), a.read()),
                    m.getOrDefault(a.written(), a.written()), a.wrote(), m.getOrDefault(a.expect(), a.expect()), a.weakened(),
                    a.readFrom(), a.stale()));
        }
        return out;
    }

    /** One line of a process: its code, a note, and the value its register must hold (null: none). */
    private record Line(String code, String note, Long pinned) { }

    private static Line line(SharedAccess a, String x, boolean restore, boolean lockCat, String reg) {
        boolean weak = a.weakened() && !restore;
        String was = a.weakened() ? (restore ? "put back: fences weakened it" : "weakened from " + a.primitive() + " by fences")
                : null;
        switch (a.op()) {
            case FENCE -> {
                return weak ? new Line("/* " + a.primitive() + "(); */", "removed: the ordering point fences weakened", null)
                        : new Line(a.primitive() + "();", was, null);
            }
            case LOAD -> {
                boolean acquire = a.primitive().equals("smp_load_acquire") && !weak;
                return new Line(reg + " = " + (acquire ? "smp_load_acquire(" + x + ")" : "READ_ONCE(*" + x + ")") + ";", was,
                        a.read());
            }
            case STORE -> {
                boolean release = a.primitive().equals("smp_store_release") && !weak;
                return new Line(release ? "smp_store_release(" + x + ", " + a.written() + ");"
                        : "WRITE_ONCE(*" + x + ", " + a.written() + ");", was, null);
            }
            case LOCK -> {
                if (lockCat) {
                    return new Line("spin_lock(" + x + ");", was, null);
                }
                return new Line(reg + " = cmpxchg" + (weak ? "_relaxed" : "_acquire") + "(" + x + ", 0, 1);",
                        "spin_lock(" + x + "), as a word" + (was == null ? "" : "; " + was), a.read());
            }
            case UNLOCK -> {
                if (lockCat) {
                    return new Line("spin_unlock(" + x + ");", was, null);
                }
                return new Line(weak ? "WRITE_ONCE(*" + x + ", 0);" : "smp_store_release(" + x + ", 0);",
                        "spin_unlock(" + x + "), as a word" + (was == null ? "" : "; " + was), null);
            }
            case CMPXCHG -> {
                String prim = a.primitive().replaceAll("_(relaxed|acquire|release)$", "");
                return new Line(reg + " = " + prim + suffix(a, weak) + "(" + x + ", " + a.expect() + ", " + a.written() + ");",
                        was, a.read());
            }
            default -> {
                return rmw(a, x, weak, was, reg);
            }
        }
    }

    private static Line rmw(SharedAccess a, String x, boolean weak, String was, String reg) {
        String p = a.primitive();
        long d = a.written() - a.read();
        if (p.equals("atomic_add")) {
            return new Line("atomic_add(" + d + ", " + x + ");", was, null);
        }
        if (p.equals("set_bit") || p.equals("clear_bit")) {
            return new Line("atomic_add(" + d + ", " + x + ");", join(p + "(" + x + "): " + a.read() + " -> " + a.written()
                    + " here; the same events, the same value only for this read", was), null);
        }
        String note = p.equals("xchg") ? null : p + "(" + x + "): " + a.read() + " -> " + a.written()
                + " here; the same events, the same value only for this read";
        return new Line(reg + " = xchg" + suffix(a, weak) + "(" + x + ", " + a.written() + ");", join(note, was), a.read());
    }

    private static String join(String a, String b) {
        return a == null ? b : b == null ? a : a + "; " + b;
    }

    /** The primitive's ordering suffix as this file writes it. */
    private static String suffix(SharedAccess a, boolean weak) {
        SimMemory.Order o = weak ? SimMemory.Order.RELAXED : a.order();
        return switch (o) {
            case FULL -> "";
            case RELAXED -> "_relaxed";
            case ACQUIRE -> "_acquire";
            case RELEASE -> "_release";
        };
    }

    /**
     * Plain loads ({@code READ_ONCE}, not stale) that add no edge between CPUs to what the test
     * already has, left out so that the checker, which offers every read every constant of the
     * test, can enumerate the rest: a load of a location no other role writes that read its own
     * role's store or the initial value (its rf and fr stay on its CPU), and a load that read what
     * its role's previous load of the location read (the same writer and value, with no store of
     * its own and no barrier or ordered access of its role between: the next turn of a wait loop). Leaving a read out of an execution keeps it
     * one (every relation only loses edges), so the exists clause stays reachable; what it costs
     * is ordering that passed through the read (none for a relaxed load but po itself).
     */
    static Set<SharedAccess> quietReads(List<SharedAccess> all) {
        Map<Integer, Set<Integer>> writers = new HashMap<>();
        for (SharedAccess a : all) {
            if (a.wrote() && a.cellId() >= 0) {
                writers.computeIfAbsent(a.cellId(), k -> new HashSet<>()).add(a.role());
            }
        }
        Set<SharedAccess> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Map<String, SharedAccess> lastLoad = new HashMap<>(); // role:cell -> its previous load, null after its own store
        Map<String, Integer> orderedBefore = new HashMap<>(); // role:cell -> the role's ordering events before that load
        Map<Integer, Integer> ordering = new HashMap<>();     // role -> its ordering events so far
        for (SharedAccess a : all) {
            if (a.ordered()) {
                ordering.merge(a.role(), 1, Integer::sum); // a barrier between two reads makes the second one count
            }
            if (a.cellId() < 0) {
                continue;
            }
            String key = a.role() + ":" + a.cellId();
            if (a.op() != SharedAccess.Op.LOAD) {
                if (a.wrote()) {
                    lastLoad.remove(key);
                }
                continue;
            }
            SharedAccess prev = lastLoad.put(key, a);
            Integer before = orderedBefore.put(key, ordering.getOrDefault(a.role(), 0));
            if (prev != null && !before.equals(ordering.getOrDefault(a.role(), 0))) {
                prev = null; // an ordering point since: this read is ordered where the earlier one was not
            }
            if (a.stale() || a.primitive().equals("smp_load_acquire") || a.readFrom() == SimMemory.UNKNOWN_WRITER) {
                continue;
            }
            boolean others = writers.getOrDefault(a.cellId(), Set.of()).stream().anyMatch(w -> w != a.role());
            boolean local = !others && (a.readFrom() == a.role() || a.readFrom() == -1);
            boolean again = prev != null && prev.readFrom() == a.readFrom() && prev.read() == a.read();
            if (local || again) {
                out.add(a);
            }
        }
        return out;
    }

    private static boolean keep(SharedAccess a, Set<Integer> kept) {
        return a.op() == SharedAccess.Op.FENCE || kept.contains(a.cellId());
    }

    /**
     * The cells the test keeps: touched by two roles, or ordered by one of their own accesses, or
     * an RMW's that a {@code smp_mb__before_atomic()} before it or {@code smp_mb__after_atomic()}
     * after it in its role applies to.
     */
    static Set<Integer> keptCells(List<SharedAccess> all) {
        Map<Integer, Set<Integer>> roles = new HashMap<>();
        Set<Integer> kept = new HashSet<>();
        Map<Integer, Boolean> beforeAtomicSeen = new HashMap<>();
        for (SharedAccess a : all) {
            if (a.op() == SharedAccess.Op.FENCE) {
                if (a.primitive().equals("smp_mb__before_atomic")) {
                    beforeAtomicSeen.put(a.role(), true);
                }
                if (a.primitive().equals("smp_mb__after_atomic")) {
                    for (SharedAccess b : all) { // every RMW before it in its role
                        if (b == a) {
                            break;
                        }
                        if (b.role() == a.role() && (b.op() == SharedAccess.Op.RMW || b.op() == SharedAccess.Op.CMPXCHG)) {
                            kept.add(b.cellId());
                        }
                    }
                }
                continue;
            }
            roles.computeIfAbsent(a.cellId(), k -> new HashSet<>()).add(a.role());
            if (a.ordered()) {
                kept.add(a.cellId());
            }
            if ((a.op() == SharedAccess.Op.RMW || a.op() == SharedAccess.Op.CMPXCHG)
                    && beforeAtomicSeen.getOrDefault(a.role(), false)) {
                kept.add(a.cellId());
            }
        }
        roles.forEach((id, rs) -> {
            if (rs.size() > 1) {
                kept.add(id);
            }
        });
        return kept;
    }

    /** C identifiers after the cells' names, unique, in the order the cells were first touched. */
    private static Map<Integer, String> locationNames(List<SharedAccess> all, Set<Integer> kept) {
        Map<Integer, String> out = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (SharedAccess a : all) {
            if (a.cellId() < 0 || !kept.contains(a.cellId()) || out.containsKey(a.cellId())) {
                continue;
            }
            String n = a.cell().replace("->", "_").replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_+", "_")
                    .replaceAll("^_|_$", "");
            if (n.isEmpty() || Character.isDigit(n.charAt(0)) || n.matches("r\\d+") || RESERVED.contains(n)) {
                n = "v_" + n;
            }
            String u = n;
            for (int i = 2; !taken.add(u); i++) {
                u = n + "_" + i;
            }
            out.put(a.cellId(), u);
        }
        return out;
    }

    private static final Set<String> RESERVED = Set.of("int", "long", "exists", "filter", "locations", "if", "else", "while",
            "do", "for", "return", "void", "true", "false", "spinlock_t", "atomic_t");

    private static long initOf(List<SharedAccess> all, int id) {
        for (SharedAccess a : all) {
            if (a.cellId() == id) {
                return a.init();
            }
        }
        return 0;
    }

    /** A comment line of the header, wrapped at 96 columns. */
    private static void comment(StringBuilder out, String text) {
        StringBuilder line = new StringBuilder(" *");
        for (String w : safe(text).split(" ")) {
            if (line.length() + 1 + w.length() > 96 && line.length() > 2) {
                out.append(line).append("\n");
                line = new StringBuilder(" *  ");
            }
            line.append(' ').append(w);
        }
        out.append(line).append("\n *\n");
    }

    /** Text that cannot close the comment it is in. */
    private static String safe(String s) {
        return s.replace("*)", "* )").replace("*/", "* /").replace("(*", "( *");
    }
}
