package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ordering points of one {@link Fences} pass, each numbered as first met: the number its
 * events carry in the graph ({@link LkmmGraph.Ev#point}), so that the model can be asked about
 * one graph with any set of them weakened. Shared by the search's jobs.
 */
final class PointLabels {
    private final Map<OrderingPoint, Integer> index = new ConcurrentHashMap<>();
    private final List<OrderingPoint> points = new ArrayList<>();

    /** The number of {@code p}, given it now if it has none. */
    int index(OrderingPoint p) {
        Integer i = index.get(p);
        if (i != null) {
            return i;
        }
        synchronized (points) {
            return index.computeIfAbsent(p, x -> {
                points.add(x);
                return points.size() - 1;
            });
        }
    }

    /** The point numbered {@code i}. */
    OrderingPoint point(int i) {
        synchronized (points) {
            return points.get(i);
        }
    }

    /**
     * Whether the one pass can weaken {@code p} by the model alone, where weakening only allows
     * more. Not the lock handoff: a weakened {@code spin_lock} may read an older store, so the run
     * itself changes (a lock granted while held is an error); a weakened {@code spin_unlock} is no
     * longer lock.cat's UL, so its CPU taking the lock again breaks lock-nest: it forbids graphs.
     * Nor the scenarios' own oracles, never weakened ({@link Fences#ORACLE_PREFIX}). Those stay as
     * they are in the pass; {@link Fences} searches each lock handoff on its own.
     */
    static boolean inOnePass(OrderingPoint p) {
        return !p.primitive().equals("spin_lock") && !p.primitive().equals("spin_unlock") && !Fences.isOracle(p);
    }
}
