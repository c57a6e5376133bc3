package dev.tlbrace.harness.graph;

import dev.tlbrace.harness.graph.Event.Kind;
import dev.tlbrace.harness.graph.Event.Tag;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A candidate execution: events, and the relations herd7 calls primitive. Program order,
 * rmw and the dependencies come from the program (the {@link Shape}, shared by every
 * candidate of one choice of traces); rf and co from the choice the search made. For
 * spinlocks rf and co are the final ones of lock.cat: each {@code LKR} reads from the
 * co-predecessor of its {@code LKW}, and each {@code UL} follows its {@code LKW} in co.
 * A memory model ({@link MemoryModels}) is a predicate over these graphs.
 */
public final class ExecutionGraph {

    /**
     * What the program fixes: the events (init writes first), po, the rmw pairs of the RMW
     * primitives, and the addr/data/ctrl dependencies. Relations that depend on these alone
     * are computed once per shape and cached.
     */
    public static final class Shape {
        final List<Event> events;
        final Rel po;
        final Rel rmw;
        final Rel addr;
        final Rel data;
        final Rel ctrl;
        private final ConcurrentHashMap<Object, Object> cache = new ConcurrentHashMap<>();

        public Shape(List<Event> events, Rel po, Rel rmw, Rel addr, Rel data, Rel ctrl) {
            this.events = List.copyOf(events);
            this.po = po;
            this.rmw = rmw;
            this.addr = addr;
            this.data = data;
            this.ctrl = ctrl;
        }

        @SuppressWarnings("unchecked")
        <T> T cached(Object key, Function<Shape, T> compute) {
            Object v = cache.get(key);
            if (v == null) {
                v = compute.apply(this);
                cache.put(key, v);
            }
            return (T) v;
        }

        public int size() {
            return events.size();
        }
    }

    private final Shape shape;
    private final Rel rf;
    private final Rel co;
    private Rel fr;

    /**
     * @param rf reads-from, write to read
     * @param co coherence order: a strict total order of the writes to each location (a
     *           partial one while a search is still choosing it)
     */
    public ExecutionGraph(Shape shape, Rel rf, Rel co) {
        this.shape = shape;
        this.rf = rf;
        this.co = co;
    }

    public Shape shape() {
        return shape;
    }

    public List<Event> events() {
        return shape.events;
    }

    public int size() {
        return shape.events.size();
    }

    public Event event(int i) {
        return shape.events.get(i);
    }

    public Rel po() {
        return shape.po;
    }

    public Rel rf() {
        return rf;
    }

    public Rel co() {
        return co;
    }

    public Rel rmw() {
        return shape.rmw;
    }

    public Rel addr() {
        return shape.addr;
    }

    public Rel data() {
        return shape.data;
    }

    public Rel ctrl() {
        return shape.ctrl;
    }

    /** The events that carry tag t. */
    public long[] tagged(Tag t) {
        return where(t, e -> e.is(t));
    }

    public long[] ofKind(Kind k) {
        return where(k, e -> e.kind() == k);
    }

    private long[] where(Object key, java.util.function.Predicate<Event> p) {
        return shape.cached(key, s -> {
            long[] set = Sets.none(s.size());
            for (Event e : s.events) {
                if (p.test(e)) {
                    Sets.add(set, e.id());
                }
            }
            return set;
        });
    }

    /** {@code loc}: events on the same location (accesses, and synchronize_srcu's srcu_struct). */
    public Rel loc() {
        return shape.cached("loc", s -> {
            Rel r = Rel.empty(s.size());
            for (Event a : s.events) {
                for (Event b : s.events) {
                    if (a.loc() != null && Objects.equals(a.loc(), b.loc())) {
                        r.set(a.id(), b.id());
                    }
                }
            }
            return r;
        });
    }

    /** {@code ext}: events of different CPUs; an init write is external to every CPU. */
    public Rel ext() {
        return shape.cached("ext", s -> {
            Rel r = Rel.empty(s.size());
            for (Event a : s.events) {
                for (Event b : s.events) {
                    if (a.thread() != b.thread() || a.thread() < 0) {
                        r.set(a.id(), b.id());
                    }
                }
            }
            return r;
        });
    }

    /** {@code int}: the complement of ext. */
    public Rel intl() {
        return shape.cached("int", s -> Rel.cross(s.size(), Sets.all(s.size()), Sets.all(s.size())).minus(ext()));
    }

    /** Anything a model wants computed once per shape. */
    public <T> T cached(Object key, Function<ExecutionGraph, T> compute) {
        return shape.cached(key, s -> compute.apply(this));
    }

    /** {@code fr = rf^-1 ; co}. */
    public Rel fr() {
        if (fr == null) {
            fr = rf.inverse().seq(co);
        }
        return fr;
    }

    /** The write the read {@code r} reads from, or -1. */
    public int source(int r) {
        for (int w = 0; w < size(); w++) {
            if (rf.has(w, r)) {
                return w;
            }
        }
        return -1;
    }
}
