package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.graph.Event;
import dev.tlbrace.harness.graph.ExecutionGraph;
import dev.tlbrace.harness.litmus.LitmusAst.Cond;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An execution graph as a reader checks it against the .cat: each CPU's events in program
 * order, which write each read read from (and the newer writes it did not see: its fr edges),
 * and each location's coherence order.
 */
public final class LitmusWitness {
    private LitmusWitness() {
    }

    public static String render(ExecutionGraph g) {
        StringBuilder sb = new StringBuilder();
        int thread = Integer.MIN_VALUE;
        for (Event e : g.events()) {
            if (e.isInit()) {
                continue;
            }
            if (e.thread() != thread) {
                thread = e.thread();
                sb.append("  P").append(thread).append('\n');
            }
            sb.append("    ").append(String.format("%-44s", e.label()));
            switch (e.kind()) {
                case R -> {
                    int w = g.source(e.id());
                    sb.append(" R ").append(e.loc()).append(" = ").append(e.value());
                    if (w >= 0) {
                        sb.append("   rf from ").append(name(g.event(w)));
                    }
                    List<String> missed = new ArrayList<>();
                    for (int v = 0; v < g.size(); v++) {
                        if (g.fr().has(e.id(), v)) {
                            missed.add(name(g.event(v)));
                        }
                    }
                    if (!missed.isEmpty()) {
                        sb.append("; fr to ").append(String.join(", ", missed));
                    }
                }
                case W -> sb.append(" W ").append(e.loc()).append(" = ").append(e.value());
                case F -> sb.append(e.loc() == null ? " F" : " F " + e.loc());
            }
            sb.append('\n');
        }
        Map<String, List<String>> co = new TreeMap<>();
        for (Event w : g.events()) {
            if (w.isWrite()) {
                int rank = 0;
                for (Event o : g.events()) {
                    if (g.co().has(o.id(), w.id())) {
                        rank++;
                    }
                }
                List<String> order = co.computeIfAbsent(w.loc(), k -> new ArrayList<>());
                while (order.size() <= rank) {
                    order.add("?");
                }
                order.set(rank, name(w));
            }
        }
        co.forEach((loc, order) -> {
            if (order.size() > 1) {
                sb.append("  co ").append(loc).append(": ").append(String.join(" -> ", order)).append('\n');
            }
        });
        return sb.toString();
    }

    private static String name(Event w) {
        if (w.isInit()) {
            return "init " + w.loc() + "=" + w.value();
        }
        return "P" + w.thread() + " " + w.label() + " (" + w.loc() + "=" + w.value() + ")";
    }

    /** The condition as herd7 prints it. */
    public static String show(Cond c) {
        return LitmusConditions.show(c);
    }
}
