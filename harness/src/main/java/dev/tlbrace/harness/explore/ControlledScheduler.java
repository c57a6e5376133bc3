package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.scenario.Role;
import dev.tlbrace.harness.scenario.ScenarioRun;
import dev.tlbrace.harness.scenario.Verdict;
import dev.tlbrace.model.sync.Sched;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a scenario's roles on real threads, exactly one at a time. Each role runs until it
 * reaches its next trace point and stops there; when every role is stopped or done, a
 * {@link Chooser} picks who passes its point next. The labels passed, in order, are the
 * timeline.
 *
 * <p>A role stopped at a {@link Sched#spin} point it also passed at its previous spin, with no
 * other role having run a step since, is blocked: one more turn would see the same state. A
 * waiting role is seen as waiting, never scheduled forever; a retry loop that made progress
 * of its own (it reached a different spin point) is not.
 * Threads that are not roles (setup, the judge) pass points without stopping.
 *
 * <p>Use: build the world with this scheduler as its {@link Sched}, then call {@link #run}.
 * One instance runs one execution.
 */
public final class ControlledScheduler implements Sched {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ThreadLocal<Integer> me = new ThreadLocal<>();
    private final int maxSteps;

    // all below guarded by lock
    private String[] pending = new String[0];
    private boolean[] pendingSpin = new boolean[0];
    private boolean[] done = new boolean[0];
    private boolean[] othersMoved = new boolean[0];
    private String[] lastSpin = new String[0];
    private int granted = -1;
    private boolean abandoned;
    private Step current;
    private Throwable error;
    private final List<Step> steps = new ArrayList<>();
    private final List<Integer> choices = new ArrayList<>();

    /** Thrown in role threads to unwind an abandoned execution. */
    private static final class Abandoned extends Error {
        Abandoned() {
            super("execution abandoned", null, false, false);
        }
    }

    public ControlledScheduler(int maxSteps) {
        this.maxSteps = maxSteps;
    }

    @Override
    public void point(String label) {
        arrive(label, false);
    }

    @Override
    public void spin(String label) {
        arrive(label, true);
    }

    @Override
    public void observe(String what, long value) {
        Integer idx = me.get();
        if (idx == null) {
            return;
        }
        lock.lock();
        try {
            if (current != null && current.role() == idx) {
                current.observe(what, value);
            }
        } finally {
            lock.unlock();
        }
    }

    private void arrive(String label, boolean spin) {
        Integer idx = me.get();
        if (idx == null) {
            return;
        }
        lock.lock();
        try {
            pending[idx] = label;
            pendingSpin[idx] = spin;
            if (granted == idx) {
                granted = -1;
            }
            changed.signalAll();
            while (granted != idx && !abandoned) {
                changed.awaitUninterruptibly();
            }
            if (abandoned) {
                throw new Abandoned();
            }
            pending[idx] = null;
        } finally {
            lock.unlock();
        }
    }

    /** Runs the roles of {@code run} under {@code chooser}, then the judge if all returned. */
    public Execution run(ScenarioRun run, Chooser chooser) {
        List<Role> roles = run.roles();
        int n = roles.size();
        List<String> names = roles.stream().map(Role::name).toList();
        pending = new String[n];
        pendingSpin = new boolean[n];
        done = new boolean[n];
        othersMoved = new boolean[n];
        lastSpin = new String[n];
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            final int idx = i;
            threads[i] = new Thread(() -> body(idx, roles.get(idx).body()), "tlbrace-" + roles.get(i).name());
            threads[i].setDaemon(true);
        }
        for (Thread t : threads) {
            t.start();
        }
        Execution.Status status;
        try {
            status = drive(chooser);
        } finally {
            for (Thread t : threads) {
                joinQuietly(t);
            }
        }
        Verdict verdict = null;
        if (status == Execution.Status.COMPLETED) {
            verdict = run.judge();
        }
        return new Execution(names, List.copyOf(steps), status, verdict, error, List.copyOf(choices));
    }

    private void body(int idx, Runnable r) {
        me.set(idx);
        try {
            r.run();
        } catch (Abandoned a) {
            // unwound on purpose
        } catch (Throwable t) {
            lock.lock();
            try {
                if (error == null) {
                    error = t;
                }
            } finally {
                lock.unlock();
            }
        } finally {
            lock.lock();
            try {
                done[idx] = true;
                pending[idx] = null;
                if (granted == idx) {
                    granted = -1;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private Execution.Status drive(Chooser chooser) {
        lock.lock();
        try {
            int last = -1;
            for (;;) {
                while (!quiet()) {
                    changed.awaitUninterruptibly();
                }
                if (error != null) {
                    return abandon(Execution.Status.ERROR);
                }
                List<Integer> enabled = new ArrayList<>();
                boolean allDone = true;
                for (int i = 0; i < done.length; i++) {
                    if (done[i]) {
                        continue;
                    }
                    allDone = false;
                    if (!pendingSpin[i] || othersMoved[i] || !pending[i].equals(lastSpin[i])) {
                        enabled.add(i);
                    }
                }
                if (allDone) {
                    return Execution.Status.COMPLETED;
                }
                if (enabled.isEmpty()) {
                    return abandon(Execution.Status.DEADLOCK);
                }
                if (steps.size() >= maxSteps) {
                    return abandon(Execution.Status.STEP_BOUND);
                }
                int pick;
                try {
                    pick = chooser.choose(new Decision(steps.size(), List.copyOf(enabled),
                            Arrays.asList(pending.clone()), last));
                } catch (RuntimeException ex) {
                    abandon(Execution.Status.ERROR); // unwind the roles before the caller sees it
                    throw ex;
                }
                if (!enabled.contains(pick)) {
                    throw new IllegalStateException("chooser picked role " + pick + ", enabled " + enabled);
                }
                current = new Step(steps.size() + 1, pick, pending[pick], pendingSpin[pick]);
                steps.add(current);
                choices.add(pick);
                for (int j = 0; j < othersMoved.length; j++) {
                    if (j != pick) {
                        othersMoved[j] = true;
                    }
                }
                if (pendingSpin[pick]) {
                    othersMoved[pick] = false;
                    lastSpin[pick] = pending[pick];
                }
                last = pick;
                granted = pick;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** No role is running: each is stopped at a point or done. Caller holds lock. */
    private boolean quiet() {
        if (granted != -1) {
            return false;
        }
        for (int i = 0; i < done.length; i++) {
            if (!done[i] && pending[i] == null) {
                return false;
            }
        }
        return true;
    }

    private Execution.Status abandon(Execution.Status status) {
        abandoned = true;
        changed.signalAll();
        return status;
    }

    private static void joinQuietly(Thread t) {
        boolean interrupted = false;
        for (;;) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
