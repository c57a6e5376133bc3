package dev.tlbrace.harness.soak;

import dev.tlbrace.harness.program.Role;
import dev.tlbrace.model.check.Violation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A larger world for one scenario x variant whose roles loop on real threads until stopped,
 * checking the oracles as they go. The first violation stops everyone.
 */
abstract class SoakWorld {
    final String name;
    final TracingSched sched;
    private String prefix = "";
    private final AtomicBoolean stop;
    private final AtomicReference<Violation> violation;
    private final java.util.concurrent.CountDownLatch stopped;
    private final Map<String, LongAdder> ops = new ConcurrentHashMap<>();

    SoakWorld(String name, TracingSched sched, Soak.Stop stop) {
        this.name = name;
        this.sched = sched;
        this.stop = stop.flag();
        this.violation = stop.violation();
        this.stopped = stop.latch();
    }

    /** The roles; each runs {@code step} in a loop with its own random stream. */
    abstract List<Role> roles(long seed);

    boolean running() {
        return !stop.get();
    }

    void count(String role) {
        ops.computeIfAbsent(role, k -> new LongAdder()).increment();
    }

    Map<String, LongAdder> ops() {
        return ops;
    }

    /** Reports a violation (the first one wins) and stops every role. */
    void violated(Violation v) {
        sched.broken(v.toString());
        if (violation.compareAndSet(null, new Violation(v.invariant(), name + ": " + v.detail()))) {
            stop.set(true);
            stopped.countDown(); // wakes the monitor at once
        }
    }

    /** Prefixes role names, when several worlds soak at once. */
    void prefix(String p) {
        this.prefix = p;
    }

    /** What must hold once every role has stopped (roles stop between steps: nothing is in flight). */
    Optional<Violation> atQuiescence() {
        return Optional.empty();
    }

    /** Extra state for the summary line. */
    abstract String state();

    /** The role's name as the dump shows it. */
    String prefixed(String role) {
        return prefix + role;
    }

    /** A role named {@code role} that calls {@code step} until the soak stops. */
    Role loop(String role, long seed, Consumer<SplittableRandom> step) {
        String full = prefixed(role);
        return new Role(full, () -> {
            sched.register(full);
            SplittableRandom rnd = new SplittableRandom(seed);
            while (running()) {
                step.accept(rnd);
                count(full);
            }
        });
    }
}
