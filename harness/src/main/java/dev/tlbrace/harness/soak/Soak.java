package dev.tlbrace.harness.soak;

import dev.tlbrace.harness.scenario.Role;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
import dev.tlbrace.harness.explore.Timeline;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.iommu.PermissionUpgrade;
import dev.tlbrace.model.kvm.ApicReload;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Real threads for a bounded time over larger worlds, every role of every selected scenario x
 * variant at once, oracles checked continuously. On a violation: the oracle and the last
 * events of every role merged in time order, like an ftrace dump.
 */
public final class Soak {
    private static final int RING = 4096;
    private static final int DUMP_PER_ROLE = 24;

    /** One world to soak. */
    public record Target(Scenario scenario, Variant variant) { }

    /** Sizes and seed. */
    public record Options(Duration duration, int pages, int vcpus, int walkers, long seed) { }

    /** How it ended. */
    public record Result(Violation violation, long millis, Map<String, Long> ops, boolean interrupted) { }

    /** How roles and the monitor learn to stop: a flag for the roles, a latch for the monitor. */
    record Stop(AtomicBoolean flag, AtomicReference<Violation> violation, CountDownLatch latch) { }

    private final Stop stop = new Stop(new AtomicBoolean(), new AtomicReference<>(), new CountDownLatch(1));

    /** Ctrl-C: stop the roles; {@link #run} prints the summary so far. */
    public void interrupt() {
        stop.flag().set(true);
        stop.latch().countDown();
    }

    public Result run(List<Target> targets, Options o, PrintWriter out) throws InterruptedException {
        TracingSched sched = new TracingSched(RING);
        AtomicReference<Violation> violation = stop.violation();
        List<SoakWorld> worlds = new ArrayList<>();
        for (Target t : targets) {
            SoakWorld w = world(t, o, sched);
            if (targets.size() > 1) {
                w.prefix(t.variant().id() + "/");
            }
            worlds.add(w);
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < worlds.size(); i++) {
            for (Role r : worlds.get(i).roles(o.seed() + 1000L * i)) {
                Thread t = new Thread(r.body(), "soak-" + r.name());
                t.setDaemon(true);
                threads.add(t);
            }
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        long deadline = start + o.duration().toNanos();
        long nextProgress = start + 1_000_000_000L;
        for (long now = System.nanoTime(); now < deadline; now = System.nanoTime()) {
            // wakes at the next progress line, the deadline, a violation or Ctrl-C
            if (stop.latch().await(Math.min(nextProgress, deadline) - now, TimeUnit.NANOSECONDS)) {
                break;
            }
            if (System.nanoTime() >= nextProgress) {
                out.println(progress(worlds, System.nanoTime() - start));
                nextProgress += 1_000_000_000L;
            }
        }
        boolean interrupted = stop.flag().get() && violation.get() == null;
        stop.flag().set(true);
        for (Thread t : threads) {
            t.join(5000);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Map<String, Long> ops = new TreeMap<>();
        worlds.forEach(w -> w.ops().forEach((k, v) -> ops.put(k, v.sum())));
        Violation v = violation.get();
        if (v != null) {
            out.printf("%nVIOLATION after %d ms: %s%n%n", millis, v);
            out.println("last events, every role, in time order:");
            out.print(dump(sched.rings(), start));
        }
        out.printf("%nsoak %s: %d ms, %s%n", interrupted ? "interrupted" : "done", millis,
                v == null ? "violations 0" : "1 violation");
        ops.forEach((role, n) -> out.printf("  %-40s %,14d ops  %,12d/s%n", role, n, n * 1000 / Math.max(1, millis)));
        worlds.forEach(w -> out.printf("  %s: %s%n", w.name, w.state()));
        return new Result(v, millis, ops, interrupted);
    }

    /**
     * Whether {@code scenarioId} has a world of its own (more pages, vCPUs, walkers, every
     * invalidation path); every other race soaks as rounds of its two-actor form.
     */
    public static boolean hasOwnWorld(String scenarioId) {
        return scenarioId.equals(ApicAccessReload.ID) || scenarioId.equals(SmmuStaleReadOnly.ID);
    }

    private SoakWorld world(Target t, Options o, TracingSched sched) {
        String id = t.scenario().id();
        if (id.equals(ApicAccessReload.ID)) {
            return new ApicSoakWorld(ApicReload.byId(t.variant().id()), o.pages(), o.vcpus(), sched, stop);
        }
        if (id.equals(SmmuStaleReadOnly.ID)) {
            return new SmmuSoakWorld(PermissionUpgrade.byId(t.variant().id()), o.pages(), o.walkers(), sched, stop);
        }
        return new RoundsSoakWorld(t.scenario(), t.variant(), sched, stop);
    }

    private static String progress(List<SoakWorld> worlds, long nanos) {
        StringBuilder sb = new StringBuilder(String.format("soak %3ds:", nanos / 1_000_000_000L));
        for (SoakWorld w : worlds) {
            long total = w.ops().values().stream().mapToLong(java.util.concurrent.atomic.LongAdder::sum).sum();
            sb.append(String.format(" %s %,d ops;", worlds.size() > 1 ? w.name.substring(w.name.indexOf('/') + 1) : w.name, total));
        }
        return sb.append(" violations 0").toString();
    }

    private record Event(long time, String role, String label, String what, long value) { }

    static String dump(List<EventRing> rings, long start) {
        List<Event> events = new ArrayList<>();
        for (EventRing r : rings) {
            int n = r.size();
            for (int k = Math.max(0, n - DUMP_PER_ROLE); k < n; k++) {
                int i = r.indexOf(k);
                String l = r.repeats(i) == 0 ? r.label(i) : String.format("%s (x%,d more, until %+.6f ms)", r.label(i),
                        r.repeats(i), (r.lastTime(i) - start) / 1e6);
                events.add(new Event(r.time(i), r.role(), l, r.valueWhat(i), r.value(i)));
            }
        }
        events.sort(Comparator.comparingLong(Event::time));
        StringBuilder sb = new StringBuilder();
        for (Event e : events) {
            sb.append(String.format("  %+14.6f ms  %-24s %s%s%n", (e.time() - start) / 1e6, e.role(), e.label(),
                    e.what() == null ? "" : "  " + e.what() + " " + Timeline.format(e.what(), e.value())));
        }
        return sb.toString();
    }
}
