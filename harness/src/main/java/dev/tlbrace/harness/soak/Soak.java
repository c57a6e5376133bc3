package dev.tlbrace.harness.soak;

import dev.tlbrace.harness.explore.Timeline;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.harness.scenario.iommu.SmmuStaleReadOnly;
import dev.tlbrace.harness.scenario.kvm.ApicAccessReload;
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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real threads for a bounded time over larger worlds, every role of every selected scenario x
 * variant at once, oracles checked continuously. On a violation: the oracle and the last
 * events of every role merged in time order, like an ftrace dump.
 */
public final class Soak {
    private static final int RING = 16_384;
    private static final int DUMP_PER_ROLE = 24;
    private static final int DUMP_LEAD_UP = 160;
    private static final int DUMP_FRAME = 64;
    private static final Pattern PFN = Pattern.compile("pfn 0x([0-9a-f]+)\\b");

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
        if (violation.get() == null && threads.stream().noneMatch(Thread::isAlive)) {
            for (SoakWorld w : worlds) {
                w.atQuiescence().ifPresent(w::violated);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Map<String, Long> ops = new TreeMap<>();
        worlds.forEach(w -> w.ops().forEach((k, v) -> ops.put(k, v.sum())));
        Violation v = violation.get();
        if (v != null) {
            out.printf("%nVIOLATION after %d ms: %s%n%n", millis, v);
            out.print(targetedDump(sched.rings(), start, v));
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

    /**
     * The dump of a violation, most specific first: what the role whose oracle fired did before
     * it (its last {@value #DUMP_LEAD_UP} events: the reload or fault that set up the bad state is
     * usually further back than the other roles' tails), every recorded event of any role that
     * names the frame the violation names (its allocations, frees, the PTEs and SPTEs that mapped
     * it), then the last {@value #DUMP_PER_ROLE} events of every role.
     */
    static String targetedDump(List<EventRing> rings, long start, Violation v) {
        StringBuilder sb = new StringBuilder();
        for (EventRing r : rings) {
            if (r.broken()) {
                sb.append(String.format("what %s did before it (its last %d events):%n", r.role(), DUMP_LEAD_UP));
                sb.append(format(events(List.of(r), DUMP_LEAD_UP, e -> true, start), start)).append('\n');
            }
        }
        Matcher m = PFN.matcher(v.detail());
        if (m.find()) {
            Pattern named = Pattern.compile("pfn 0x" + m.group(1) + "\\b");
            List<Event> history = events(rings, Integer.MAX_VALUE,
                    e -> e.what() != null && named.matcher(e.what() + " " + Timeline.format(e.what(), e.value())).find(), start);
            history = history.subList(Math.max(0, history.size() - DUMP_FRAME), history.size());
            sb.append(String.format("pfn 0x%s in every role's ring (its last %d events: allocations, frees, the entries that named it):%n",
                    m.group(1), DUMP_FRAME));
            sb.append(history.isEmpty() ? "  (not in the rings)\n" : format(history, start)).append('\n');
        }
        sb.append("last events, every role, in time order:\n");
        return sb.append(dump(rings, start)).toString();
    }

    static String dump(List<EventRing> rings, long start) {
        return format(events(rings, DUMP_PER_ROLE, e -> true, start), start);
    }

    /** The last {@code perRole} events of each ring that pass {@code keep}, merged in time order. */
    private static List<Event> events(List<EventRing> rings, int perRole, Predicate<Event> keep, long start) {
        List<Event> events = new ArrayList<>();
        for (EventRing r : rings) {
            List<Event> mine = new ArrayList<>(); // newest first: a 24-event tail reads 24 slots, not the ring
            for (int k = r.size() - 1; k >= 0 && mine.size() < perRole; k--) {
                int i = r.indexOf(k);
                String l = r.repeats(i) == 0 ? r.label(i) : String.format("%s (x%,d more, until %+.6f ms)", r.label(i),
                        r.repeats(i), (r.lastTime(i) - start) / 1e6);
                Event e = new Event(r.time(i), r.role(), l, r.valueWhat(i), r.value(i));
                if (keep.test(e)) {
                    mine.add(e);
                }
            }
            events.addAll(mine);
        }
        events.sort(Comparator.comparingLong(Event::time));
        return events;
    }

    private static String format(List<Event> events, long start) {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) {
            sb.append(String.format("  %+14.6f ms  %-24s %s%s%n", (e.time() - start) / 1e6, e.role(), e.label(),
                    e.what() == null ? "" : "  " + e.what() + " " + Timeline.format(e.what(), e.value())));
        }
        return sb.toString();
    }
}
