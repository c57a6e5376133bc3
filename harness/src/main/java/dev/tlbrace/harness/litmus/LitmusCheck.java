package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.graph.Event;
import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import dev.tlbrace.harness.graph.ExecutionGraph;
import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.graph.Rel;
import dev.tlbrace.harness.graph.Val;
import dev.tlbrace.harness.litmus.LitmusAst.Cond;
import dev.tlbrace.harness.litmus.LitmusProgram.TEvent;
import dev.tlbrace.harness.litmus.LitmusProgram.Trace;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every execution graph of a litmus test, each once, judged by a memory model: one trace per
 * CPU ({@link LitmusProgram#traces}), then for each read the write it reads from (a write of
 * the value the trace read, or a write the CPU has not reached yet: load buffering), then for
 * each location an order of its writes (a linear extension of what coherence already forces,
 * with each RMW's write right after the write its read read), then the model's axioms. For
 * spinlocks, lock.cat's construction: critical sections of one lock are ordered, and each
 * {@code LKR} reads from the previous section's unlock. No bound: the search is exhaustive.
 */
public final class LitmusCheck {

    /**
     * What one test gave.
     *
     * @param observed    Never, Sometimes or Always for the condition's proposition, as herd7 words it
     * @param positive    allowed executions (passing the filter) where the proposition holds
     * @param negative    those where it does not
     * @param flags       the model's flags raised by allowed executions ({@code data-race}, ...)
     * @param candidates  candidate graphs judged
     * @param finalStates the distinct final states of the allowed executions, herd7's way
     * @param witness     an allowed execution where the proposition holds, or null
     */
    public record Outcome(LitmusAst.Test test, String model, String observed, long positive, long negative,
            Set<String> flags, long candidates, Set<String> finalStates, ExecutionGraph witness, long millis) {

        public boolean dataRace() {
            return flags.contains("data-race");
        }

        public long executions() {
            return positive + negative;
        }
    }

    private final LitmusProgram program;
    private final MemoryModels.Model model;
    private final List<String> locations;
    private long positive;
    private long negative;
    private boolean dataRace;
    private final Set<String> flags = new TreeSet<>();
    private long candidates;
    private final Set<String> states = new TreeSet<>();
    private ExecutionGraph witness;

    /** Count every allowed execution (herd7's Positive/Negative), or stop once the verdict is known. */
    private final boolean exhaustive;
    /** Lock reads as lock.cat derives their rf (lkmm), or as the lock word's value (the machines). */
    private final boolean lockCat;
    /** The filter and condition read registers only, which the traces fix. */
    private final boolean registersOnly;
    private boolean finished;

    private LitmusCheck(LitmusProgram program, MemoryModels.Model model, boolean exhaustive) {
        this.program = program;
        this.model = model;
        this.exhaustive = exhaustive;
        this.lockCat = model.id().equals("lkmm");
        LitmusAst.Test t = program.test();
        this.registersOnly = !LitmusConditions.readsMemory(t.condition()) && !LitmusConditions.readsMemory(t.filter());
        this.locations = new ArrayList<>(program.init().keySet());
    }

    /** The verdict, searching only until it is known. */
    public static Outcome run(LitmusAst.Test test, MemoryModels.Model model) {
        return run(test, model, false);
    }

    /**
     * @param exhaustive count every allowed execution, as herd7's Positive/Negative do; otherwise
     *                   stop as soon as Never/Sometimes/Always and the data-race flag are settled
     */
    public static Outcome run(LitmusAst.Test test, MemoryModels.Model model, boolean exhaustive) {
        long start = System.nanoTime();
        LitmusProgram p = new LitmusProgram(test);
        LitmusCheck c = new LitmusCheck(p, model, exhaustive);
        c.search();
        return c.outcome(test, start);
    }

    boolean holds(Cond c, Trace[] traces, Map<String, Val> memory) {
        return LitmusConditions.holds(c, ref -> valueOf(ref, traces, memory));
    }

    Val valueOf(LitmusAst.Ref ref, Trace[] traces, Map<String, Val> memory) {
        if (ref.proc() < 0) {
            return memory.getOrDefault(ref.name(), program.init().getOrDefault(ref.name(), Val.ZERO));
        }
        if (ref.proc() >= traces.length) {
            return Val.ZERO;
        }
        return traces[ref.proc()].registers().getOrDefault(ref.name(), Val.ZERO);
    }

    private java.util.SortedSet<LitmusAst.Ref> stateRefs;

    /** The refs a final state shows, in herd7's order. */
    java.util.SortedSet<LitmusAst.Ref> stateRefs() {
        if (stateRefs == null) {
            LitmusAst.Test t = program.test();
            stateRefs = new TreeSet<>(java.util.Comparator.comparingInt((LitmusAst.Ref r) -> r.proc() < 0 ? Integer.MAX_VALUE : r.proc())
                    .thenComparing(LitmusAst.Ref::name));
            stateRefs.addAll(t.locations());
            for (Cond c : new Cond[] {t.condition(), t.filter()}) {
                if (c != null) {
                    LitmusConditions.atoms(c).forEach(a -> stateRefs.addAll(LitmusConditions.refs(a)));
                }
            }
        }
        return stateRefs;
    }

    private void search() {
        Map<String, Set<Val>> domains = program.domains();
        int cpus = program.test().procs().size();
        List<List<Trace>> traces = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            traces.add(program.traces(cpu, domains));
        }
        for (List<Trace> ts : traces) {
            for (Trace t : ts) {
                for (TEvent e : t.events()) {
                    if (e.loc() != null && !locations.contains(e.loc())) {
                        locations.add(e.loc());
                    }
                }
            }
        }
        pick(traces, new Trace[cpus], 0);
    }

    /**
     * The search builds coherence and RMW atomicity into the orders it tries; a self-check
     * that drops those axioms from the model drops them from the search too.
     */
    private boolean dropped(String axiom) {
        return naive || model instanceof dev.tlbrace.harness.graph.Lkmm l && l.drops(axiom);
    }

    /** Every rf choice and every order of every location's writes, no cut: the self-check's yardstick. */
    private boolean naive;

    /**
     * The same question answered by brute force: every candidate graph built and judged, no
     * pruning, no coherence or atomicity built into the search. The reduction self-check
     * compares its final states with {@link #run}'s.
     */
    static Outcome runNaive(LitmusAst.Test test, MemoryModels.Model model) {
        long start = System.nanoTime();
        LitmusCheck c = new LitmusCheck(new LitmusProgram(test), model, true);
        c.naive = true;
        c.search();
        return c.outcome(test, start);
    }

    private Outcome outcome(LitmusAst.Test test, long start) {
        String observed = positive == 0 ? "Never" : negative == 0 ? "Always" : "Sometimes";
        return new Outcome(test, model.id(), observed, positive, negative, Set.copyOf(flags), candidates, states,
                witness, (System.nanoTime() - start) / 1_000_000);
    }

    /** Every value a trace reads is written by some trace, or is the initial value. */
    private boolean feasible(Trace[] chosen) {
        java.util.Set<String> written = new java.util.HashSet<>();
        program.init().forEach((l, v) -> written.add(l + "=" + v));
        for (Trace t : chosen) {
            for (TEvent e : t.events()) {
                if (e.kind() == Kind.W) {
                    written.add(e.loc() + "=" + e.value());
                }
            }
        }
        for (Trace t : chosen) {
            for (TEvent e : t.events()) {
                if (e.kind() == Kind.R && e.tags().stream().noneMatch(LOCK_READS::contains)
                        && !written.contains(e.loc() + "=" + e.value())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static final Set<Tag> LOCK_READS = EnumSet.of(Tag.LKR, Tag.LF, Tag.RL, Tag.RU);

    private static boolean hasPlain(Trace[] chosen) {
        for (Trace t : chosen) {
            for (TEvent e : t.events()) {
                if (e.kind() != Kind.F && e.tags().isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    private void pick(List<List<Trace>> traces, Trace[] chosen, int cpu) {
        if (finished) {
            return;
        }
        if (cpu == chosen.length) {
            if (!feasible(chosen)) {
                return;
            }
            if (registersOnly && program.test().filter() != null && !holds(program.test().filter(), chosen, Map.of())) {
                return;
            }
            if (!exhaustive && registersOnly) {
                // The verdict needs one allowed execution per value of the proposition; the
                // registers are fixed by the traces, so a combination adds nothing once its
                // value is known (unless plain accesses still owe a data-race answer).
                boolean p = holds(program.test().condition(), chosen, Map.of());
                boolean owes = !dataRace && hasPlain(chosen);
                if (!owes && (p ? positive > 0 : negative > 0)) {
                    return;
                }
            }
            new Candidate(chosen).enumerate();
            return;
        }
        for (Trace t : traces.get(cpu)) {
            chosen[cpu] = t;
            pick(traces, chosen, cpu + 1);
        }
    }

    /** One choice of traces: its events, and the rf and co choices still open. */
    private final class Candidate {
        final Trace[] traces;
        final List<Event> events = new ArrayList<>();
        final List<TEvent> raw = new ArrayList<>();
        final int n;
        ExecutionGraph.Shape shape;
        final Rel po;
        final Rel rmw;
        final Rel addr;
        final Rel data;
        final Rel ctrl;
        final int[] rmwPartner;
        /** Reads whose source is chosen here (not LKR, which lock.cat derives from co). */
        final List<Integer> reads = new ArrayList<>();
        final List<int[]> readOptions = new ArrayList<>();
        final int[] rf;
        /** This combination has given what the verdict needs from it. */
        boolean stop;
        boolean hasPlain;

        boolean owesRace() {
            return hasPlain && !dataRace && !exhaustive;
        }

        Candidate(Trace[] traces) {
            this.traces = traces;
            for (String l : locations) {
                Val v = program.init().getOrDefault(l, Val.ZERO);
                events.add(new Event(events.size(), -1, 0, Kind.W, l, v, EnumSet.of(Tag.INIT), "init " + l));
                raw.add(null);
            }
            int[] base = new int[traces.length];
            for (Trace t : traces) {
                base[t.cpu()] = events.size();
                int i = 0;
                for (TEvent e : t.events()) {
                    events.add(new Event(events.size(), t.cpu(), i++, e.kind(), e.loc(), e.value(), e.tags(), e.label()));
                    hasPlain |= e.kind() != Kind.F && e.tags().isEmpty();
                    raw.add(e);
                }
            }
            n = events.size();
            po = Rel.empty(n);
            rmw = Rel.empty(n);
            addr = Rel.empty(n);
            data = Rel.empty(n);
            ctrl = Rel.empty(n);
            rmwPartner = new int[n];
            java.util.Arrays.fill(rmwPartner, -1);
            rf = new int[n];
            java.util.Arrays.fill(rf, -1);
            for (Trace t : traces) {
                int b = base[t.cpu()];
                List<TEvent> es = t.events();
                for (int i = 0; i < es.size(); i++) {
                    for (int j = i + 1; j < es.size(); j++) {
                        po.set(b + i, b + j);
                    }
                    TEvent e = es.get(i);
                    deps(addr, b, e.addr(), b + i);
                    deps(data, b, e.data(), b + i);
                    deps(ctrl, b, e.ctrl(), b + i);
                    if (e.rmwWith() >= 0) {
                        rmwPartner[b + i] = b + e.rmwWith();
                        if (e.tags().contains(Tag.RMW)) {
                            rmw.set(b + e.rmwWith(), b + i);
                        }
                    }
                }
            }
        }

        ExecutionGraph.Shape shape() {
            if (shape == null) {
                shape = new ExecutionGraph.Shape(events, po, rmw, addr, data, ctrl);
            }
            return shape;
        }

        /**
         * Every LKMM axiom (and sc's and tso's) is monotone in rf and co: a cycle among the
         * choices made so far stays in every completion, so the subtree is cut there.
         */
        boolean hopeless(List<int[]> cos) {
            if (naive) {
                return false;
            }
            Rel rfRel = Rel.empty(n);
            for (int r = 0; r < n; r++) {
                if (rf[r] >= 0) {
                    rfRel.set(rf[r], r);
                }
            }
            Rel co = Rel.empty(n);
            java.util.Set<String> ordered = new java.util.HashSet<>();
            for (int[] order : cos) {
                ordered.add(ev(order[0]).loc());
                for (int i = 0; i < order.length; i++) {
                    for (int j = i + 1; j < order.length; j++) {
                        co.set(order[i], order[j]);
                    }
                }
            }
            for (int i = 0; i < locations.size(); i++) {
                if (!ordered.contains(locations.get(i))) {
                    for (Event w : events) {
                        if (w.isWrite() && !w.isInit() && w.loc().equals(locations.get(i))) {
                            co.set(i, w.id());
                        }
                    }
                }
            }
            return !model.judge(new ExecutionGraph(shape(), rfRel, co)).allowed();
        }

        void deps(Rel r, int base, long mask, int to) {
            while (mask != 0) {
                int i = Long.numberOfTrailingZeros(mask);
                mask &= mask - 1;
                r.set(base + i, to);
            }
        }

        Event ev(int i) {
            return events.get(i);
        }

        boolean sameThreadBefore(int a, int b) {
            return po.has(a, b);
        }

        void enumerate() {
            for (Event e : events) {
                if (!e.isRead() || e.is(Tag.LKR)) {
                    continue;
                }
                List<Integer> opts = new ArrayList<>();
                for (Event w : events) {
                    if (w.isWrite() && w.loc().equals(e.loc()) && sources(w, e)) {
                        opts.add(w.id());
                    }
                }
                if (opts.isEmpty()) {
                    return;
                }
                reads.add(e.id());
                readOptions.add(opts.stream().mapToInt(Integer::intValue).toArray());
            }
            for (String l : locations) {
                boolean lock = false;
                for (Event e : events) {
                    lock |= l.equals(e.loc()) && (e.is(Tag.LKW) || e.is(Tag.UL));
                }
                (lock ? lockLocs : plainLocs).add(l);
            }
            locks(0, new ArrayList<>());
        }

        final List<String> lockLocs = new ArrayList<>();
        final List<String> plainLocs = new ArrayList<>();

        /** Spinlocks first: their order fixes each LKR's source and prunes the most. */
        void locks(int li, List<int[]> chosen) {
            if (stop) {
                return;
            }
            if (li > 0 && hopeless(chosen)) {
                return;
            }
            if (li == lockLocs.size()) {
                chooseRf(0, chosen);
                return;
            }
            String l = lockLocs.get(li);
            List<Integer> writes = new ArrayList<>();
            for (Event e : events) {
                if (e.isWrite() && e.loc().equals(l)) {
                    writes.add(e.id());
                }
            }
            lockOrders(l, writes, li, chosen);
        }

        /**
         * Can read r read from write w? Values match; under lkmm locks as lock.cat's rf-lf /
         * rf-rl / rf-ru. A machine's spin_is_locked() and failed spin_trylock() read the lock
         * word: under sc and tso they read any lock write of their value that coherence allows.
         * lock.cat's rfi-ru is stricter: a spin_is_locked() after its CPU's own unlock reads that
         * unlock, so it cannot see the lock free after another CPU took and dropped it since
         * (README "Oracles").
         */
        boolean sources(Event w, Event r) {
            if (po.has(r.id(), w.id())) {
                return false;
            }
            if (!lockCat && (r.is(Tag.LF) || r.is(Tag.RL))) {
                return w.is(Tag.LKW);
            }
            if (!lockCat && r.is(Tag.RU)) {
                return w.is(Tag.UL) || w.isInit();
            }
            if (r.is(Tag.LF) || r.is(Tag.RL)) {
                if (!w.is(Tag.LKW)) {
                    return false;
                }
                int own = lastOwn(r, Tag.LKW, Tag.UL);
                return own >= 0 ? w.id() == own : w.thread() != r.thread();
            }
            if (r.is(Tag.RU)) {
                if (!w.is(Tag.UL) && !w.isInit()) {
                    return false;
                }
                int own = lastOwn(r, Tag.UL, Tag.LKW);
                return own >= 0 ? w.id() == own : w.thread() != r.thread();
            }
            if (w.is(Tag.LKW) || w.is(Tag.UL)) {
                return false;
            }
            return w.value().equals(r.value());
        }

        /**
         * The last event tagged {@code mark} before r on r's CPU and lock, unless a {@code reset}
         * came after it: the LKW whose section r is in, or the UL of the section r follows.
         */
        int lastOwn(Event r, Tag mark, Tag reset) {
            int last = -1;
            for (Event e : events) {
                if (e.thread() == r.thread() && e.index() < r.index() && r.loc().equals(e.loc())) {
                    if (e.is(mark)) {
                        last = e.id();
                    } else if (e.is(reset)) {
                        last = -1;
                    }
                }
            }
            return last;
        }

        void chooseRf(int k, List<int[]> chosen) {
            if (stop) {
                return;
            }
            if (k > 0 && k < reads.size() && hopeless(chosen)) {
                return;
            }
            if (k == reads.size()) {
                orders(0, chosen);
                return;
            }
            int r = reads.get(k);
            for (int w : readOptions.get(k)) {
                rf[r] = w;
                chooseRf(k + 1, chosen);
            }
            rf[r] = -1;
        }

        /** Coherence order of the other locations, one by one; each a list of write ids, init first. */
        void orders(int li, List<int[]> chosen) {
            if (stop) {
                return;
            }
            if (li == plainLocs.size()) {
                judge(chosen);
                return;
            }
            if (hopeless(chosen)) {
                return;
            }
            String l = plainLocs.get(li);
            List<Integer> writes = new ArrayList<>();
            for (Event e : events) {
                if (e.isWrite() && e.loc().equals(l)) {
                    writes.add(e.id());
                }
            }
            linearExtensions(writes, mustPrecede(writes), glue(writes), new ArrayList<>(), new boolean[n], li, chosen);
        }

        /** Pairs coherence forces on these writes given rf: CoWW, CoWR, CoRW, CoRR. */
        boolean[][] mustPrecede(List<Integer> writes) {
            boolean[][] before = new boolean[n][n];
            int init = writes.get(0);
            for (int w : writes) {
                if (w != init) {
                    before[init][w] = true;
                }
            }
            if (dropped("coherence")) {
                return before;
            }
            String l = ev(init).loc();
            for (int a : writes) {
                for (int b : writes) {
                    if (po.has(a, b)) {
                        before[a][b] = true;
                    }
                }
            }
            for (Event r : events) {
                if (!r.isRead() || !l.equals(r.loc()) || rf[r.id()] < 0) {
                    continue;
                }
                int src = rf[r.id()];
                for (Event o : events) {
                    if (o.isWrite() && l.equals(o.loc()) && o.id() != src) {
                        if (po.has(o.id(), r.id())) {
                            before[o.id()][src] = true; // CoWR
                        }
                        if (po.has(r.id(), o.id())) {
                            before[src][o.id()] = true; // CoRW
                        }
                    }
                    if (o.isRead() && l.equals(o.loc()) && po.has(r.id(), o.id()) && rf[o.id()] >= 0
                            && rf[o.id()] != src) {
                        before[src][rf[o.id()]] = true; // CoRR
                    }
                }
            }
            return before;
        }

        /** glue[w] = the RMW write that must come right after w in co, or -1; null if two claim w. */
        int[] glue(List<Integer> writes) {
            int[] g = new int[n];
            java.util.Arrays.fill(g, -1);
            if (dropped("atomic")) {
                return g;
            }
            for (int w : writes) {
                int r = rmwPartner[w];
                if (r >= 0 && ev(w).is(Tag.RMW)) {
                    int src = rf[r];
                    if (src < 0) {
                        continue;
                    }
                    if (g[src] >= 0) {
                        return null;
                    }
                    g[src] = w;
                }
            }
            return g;
        }

        void linearExtensions(List<Integer> writes, boolean[][] before, int[] glue, List<Integer> order,
                boolean[] placed, int li, List<int[]> chosen) {
            if (glue == null || stop) {
                return;
            }
            if (order.size() == writes.size()) {
                chosen.add(order.stream().mapToInt(Integer::intValue).toArray());
                orders(li + 1, chosen);
                chosen.remove(chosen.size() - 1);
                return;
            }
            int forced = order.isEmpty() ? -1 : glue[order.get(order.size() - 1)];
            for (int w : writes) {
                if (placed[w] || (forced >= 0 && w != forced)) {
                    continue;
                }
                boolean ready = true;
                for (int o : writes) {
                    if (!placed[o] && o != w && before[o][w]) {
                        ready = false;
                        break;
                    }
                }
                if (!ready) {
                    continue;
                }
                placed[w] = true;
                order.add(w);
                linearExtensions(writes, before, glue, order, placed, li, chosen);
                order.remove(order.size() - 1);
                placed[w] = false;
            }
        }

        /** lock.cat: sections of one lock in some order; UL right after its LKW; LKR reads the co-predecessor. */
        void lockOrders(String l, List<Integer> writes, int li, List<int[]> chosen) {
            List<int[]> sections = new ArrayList<>();
            List<Integer> unmatched = new ArrayList<>();
            Map<Integer, Integer> open = new HashMap<>();
            for (Event e : events) {
                if (!l.equals(e.loc()) || e.thread() < 0) {
                    continue;
                }
                if (e.is(Tag.LKW)) {
                    if (open.containsKey(e.thread())) {
                        return; // lock-nest: no execution
                    }
                    open.put(e.thread(), e.id());
                } else if (e.is(Tag.UL)) {
                    Integer lk = open.remove(e.thread());
                    if (lk == null) {
                        throw new LitmusProgram.Unsupported("spin_unlock(" + l + ") without a spin_lock on P" + e.thread());
                    }
                    sections.add(new int[] {lk, e.id()});
                } else if (e.isWrite()) {
                    throw new LitmusProgram.Unsupported("plain accesses to spinlock " + l);
                }
            }
            unmatched.addAll(open.values());
            if (unmatched.size() > 1) {
                return; // lock.cat's unmatched-locks: more than one holder at the end deadlocks
            }
            permuteSections(sections, 0, unmatched, writes.get(0), li, chosen);
        }

        void permuteSections(List<int[]> s, int k, List<Integer> unmatched, int init, int li, List<int[]> chosen) {
            if (stop) {
                return;
            }
            if (k == s.size()) {
                List<Integer> order = new ArrayList<>();
                order.add(init);
                int prev = init;
                List<int[]> lkrRf = new ArrayList<>();
                for (int[] sec : s) {
                    lkrRf.add(new int[] {rmwPartner[sec[0]], prev});
                    order.add(sec[0]);
                    order.add(sec[1]);
                    prev = sec[1];
                }
                for (int u : unmatched) {
                    lkrRf.add(new int[] {rmwPartner[u], prev});
                    order.add(u);
                }
                for (int[] p : lkrRf) {
                    rf[p[0]] = p[1];
                }
                chosen.add(order.stream().mapToInt(Integer::intValue).toArray());
                locks(li + 1, chosen);
                chosen.remove(chosen.size() - 1);
                for (int[] p : lkrRf) {
                    rf[p[0]] = -1;
                }
                return;
            }
            for (int i = k; i < s.size(); i++) {
                java.util.Collections.swap(s, k, i);
                permuteSections(s, k + 1, unmatched, init, li, chosen);
                java.util.Collections.swap(s, k, i);
            }
        }

        void judge(List<int[]> cos) {
            candidates++;
            Rel rfRel = Rel.empty(n);
            for (int r = 0; r < n; r++) {
                if (rf[r] >= 0) {
                    rfRel.set(rf[r], r);
                }
            }
            Rel co = Rel.empty(n);
            Map<String, Val> memory = new LinkedHashMap<>();
            for (int[] order : cos) {
                for (int i = 0; i < order.length; i++) {
                    for (int j = i + 1; j < order.length; j++) {
                        co.set(order[i], order[j]);
                    }
                }
                Event last = ev(order[order.length - 1]);
                memory.put(last.loc(), last.value());
            }
            ExecutionGraph g = new ExecutionGraph(shape(), rfRel, co);
            MemoryModels.Judgement j = model.judge(g);
            if (!j.allowed()) {
                return;
            }
            LitmusAst.Test t = program.test();
            if (t.filter() != null && !holds(t.filter(), traces, memory)) {
                return;
            }
            dataRace |= j.dataRace();
            flags.addAll(j.flags());
            boolean p = holds(t.condition(), traces, memory);
            if (p) {
                positive++;
                if (witness == null) {
                    witness = g;
                }
            } else {
                negative++;
            }
            states.add(state(memory));
            if (!exhaustive && !owesRace()) {
                stop = registersOnly;
                finished = positive > 0 && negative > 0;
                stop |= finished;
            }
        }

        /**
         * herd7's state line: every ref the locations line, the condition and the filter name,
         * registers by CPU then locations, each with its final value (a register never written
         * is 0, a location never written keeps its initial value).
         */
        String state(Map<String, Val> memory) {
            StringBuilder sb = new StringBuilder();
            for (LitmusAst.Ref r : stateRefs()) {
                sb.append(r.proc() < 0 ? r.name() : r.proc() + ":" + r.name()).append('=')
                        .append(valueOf(r, traces, memory)).append("; ");
            }
            return sb.toString().trim();
        }

    }
}
