package dev.tlbrace.harness.graph;

/**
 * A model restricted to the graphs the explorer builds, for classifying where the two engines
 * of {@code litmus} differ by design (README "Where lkmm departs"): without addr, data and ctrl
 * dependencies (the explorer's graphs have none), and only graphs whose {@code po ∪ rf} is
 * acyclic (a load reads a store that exists when it runs: no load buffering). Both
 * restrictions are monotone in rf and co, as the checker's pruning needs.
 */
public final class Explorable implements MemoryModels.Model {
    private final MemoryModels.Model model;
    private final boolean noDependencies;
    private final boolean acyclicPoRf;

    public Explorable(MemoryModels.Model model, boolean noDependencies, boolean acyclicPoRf) {
        this.model = model;
        this.noDependencies = noDependencies;
        this.acyclicPoRf = acyclicPoRf;
    }

    @Override
    public String id() {
        return model.id(); // the checker builds lock.cat's reads by the id
    }

    @Override
    public MemoryModels.Judgement judge(ExecutionGraph g) {
        if (acyclicPoRf && !g.po().union(g.rf()).acyclic()) {
            return MemoryModels.Judgement.violates("po-rf-acyclic (explorer)");
        }
        if (noDependencies) {
            ExecutionGraph.Shape s = g.shape();
            ExecutionGraph.Shape bare = s.cached(Explorable.class, x -> new ExecutionGraph.Shape(x.events, x.po, x.rmw,
                    Rel.empty(x.size()), Rel.empty(x.size()), Rel.empty(x.size())));
            g = new ExecutionGraph(bare, g.rf(), g.co());
        }
        return model.judge(g);
    }
}
