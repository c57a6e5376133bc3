package dev.tlbrace.harness.explore;

import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
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
 * <p>With a {@link SimMemory} attached, every shared access is a scheduling point of its own
 * ({@link #access}) and hand-placed trace points become labels only: they name the kernel
 * function the next accesses belong to, so no shared access can be invisible. Spin points stay
 * scheduling points (they are how a waiting role is seen as waiting). A load that may read
 * more than one store asks the chooser which one ({@link #chooseRead}). A {@code spin_lock} on a
 * held lock is no step at all: the role waits, disabled, until the unlock ({@link #accessAcquire}).
 *
 * <p>Use: build the world with this scheduler as its {@link Sched} (through a
 * {@link SimMemory}), then call {@link #run}. One instance runs one execution.
 */
public final class ControlledScheduler implements Sched {
    /**
     * Role threads are kept alive across executions: starting two threads per schedule cost
     * more than running the schedule. A cached pool: idle threads are reused, none is shared
     * by two running roles.
     */
    private static final java.util.concurrent.ExecutorService ROLE_THREADS =
            java.util.concurrent.Executors.newCachedThreadPool(RoleThread::new);

    /**
     * A pooled thread knows which role of which execution it runs: a field read where a
     * ThreadLocal per execution left the pool's threads a growing map of stale entries to search.
     */
    private static final class RoleThread extends Thread {
        ControlledScheduler owner;
        int role;

        RoleThread(Runnable r) {
            super(r, "tlbrace-role");
            setDaemon(true);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition(); // the driver waits here
    private Condition[] turn = new Condition[0];           // role i waits for its grant here
    private final int maxSteps;

    // all below guarded by lock
    private String[] pending = new String[0];
    private boolean[] pendingSpin = new boolean[0];
    private boolean[] done = new boolean[0];
    private boolean[] othersMoved = new boolean[0];
    private String[] lastSpin = new String[0];
    private String[] context = new String[0];
    private String[] lockLabelNext = new String[0];
    private int[] pendingLock = new int[0]; // the lock word a role waits to take at its access, or -1
    private java.util.function.IntPredicate lockHeld;
    private List<List<String>> passed = new ArrayList<>();
    private boolean accessPoints;
    private boolean record = true;
    private java.util.function.IntConsumer spinHook;
    private SpinState spinState;

    /** What simulated memory knows about a role's last turn of a wait loop. */
    interface SpinState {
        /** Whether one more turn would read what the last one read, so do what it did. */
        boolean stable(int role);
    }
    private int granted = -1;
    private int last = -1;
    private boolean started;
    private Execution.Status status; // null while the execution runs
    private RuntimeException chooserFailure;
    private boolean abandoned;
    private Step current;
    private Throwable error;
    private final List<Step> steps = new ArrayList<>();
    private final List<Integer> choices = new ArrayList<>(); // roles, and reads as -1 - option
    private Chooser chooser;
    private List<String> names = List.of();

    /** Thrown in role threads to unwind an abandoned execution. */
    private static final class Abandoned extends Error {
        Abandoned() {
            super("execution abandoned", null, false, false);
        }
    }

    public ControlledScheduler(int maxSteps) {
        this.maxSteps = maxSteps;
    }

    /**
     * Without recording, steps keep their role, footprint and decisions but no labels or access
     * texts: what a search needs. The execution it prints is run again with recording on.
     */
    ControlledScheduler record(boolean on) {
        this.record = on;
        return this;
    }

    boolean recording() {
        return record;
    }

    private final List<SharedAccess> memoryLog = new ArrayList<>();
    private java.util.function.Supplier<java.util.Map<Integer, Long>> finalValues;

    /** While recording: one shared access or barrier of the running role ({@link Execution#memory()}). */
    void log(SharedAccess a) {
        lock.lock();
        try {
            memoryLog.add(a);
        } finally {
            lock.unlock();
        }
    }

    /** While recording: each cell's final value, asked once the roles are done and before the judge runs. */
    void onFinalValues(java.util.function.Supplier<java.util.Map<Integer, Long>> f) {
        this.finalValues = f;
    }

    /** Makes every shared access a scheduling point and trace points labels (see the class comment). */
    void enableAccessPoints() {
        accessPoints = true;
    }

    @Override
    public void point(String label) {
        if (!accessPoints) {
            arrive(label, false, -1);
            return;
        }
        Integer idx = me();
        if (idx == null) {
            return;
        }
        lock.lock();
        try {
            if (Timeline.isLockLabel(label)) {
                lockLabelNext[idx] = label; // names the lock's own access only, then the function resumes
            } else {
                context[idx] = label;
                lockLabelNext[idx] = null;
            }
            if (record) {
                passed.get(idx).add(label);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void spin(String label) {
        arrive(label, true, -1);
        if (spinHook != null && me() != null) {
            spinHook.accept(me());
        }
    }

    /** Called in a role's thread as it passes each of its spin points (see {@link SimMemory}). */
    void onSpin(java.util.function.IntConsumer hook) {
        this.spinHook = hook;
    }

    /**
     * With simulated memory a role back at the spin point it passed last is blocked while every
     * cell its last turn read still holds the value the turn first read there: one more turn
     * would read the same values and so do the same (a retry that takes and drops a lock puts
     * back what it found). That depends only on what other roles write, which lets
     * {@link Dpor} commute a wait with the steps it does not read, and it ends every execution
     * without a preemption bound. Without simulated memory: until another role moves.
     */
    void onSpinState(SpinState state) {
        this.spinState = state;
    }

    /**
     * {@code spin_lock} on a held lock is not a step: the role waits, disabled, until
     * the lock is free ({@link #accessAcquire}). {@code held} says whether a lock word is held.
     */
    void onLockState(java.util.function.IntPredicate held) {
        this.lockHeld = held;
    }

    /**
     * A {@code spin_lock} access on lock word {@code id}: a scheduling point the role can pass
     * only while the lock is free. A failed attempt would read the word, spin, and try again
     * once the holder's unlock changed it; the search gains nothing from running it.
     */
    void accessAcquire(String prim, String cell, int id) {
        access(prim, cell, id);
    }

    /** Adds a shared resource the running role's current step read or wrote (its {@link Footprint}). */
    void touch(int resource, boolean write) {
        Step s = current;
        if (s != null && s.role() == currentRole()) {
            if (write) {
                s.footprint().write(resource);
            } else {
                s.footprint().read(resource);
            }
        }
    }

    /** The running role's current step added to {@code resource} ({@link Footprint#add}). */
    void touchAdd(int resource) {
        Step s = current;
        if (s != null && s.role() == currentRole()) {
            s.footprint().add(resource);
        }
    }

    /** The step that ran last; read by a chooser while it decides. */
    Step lastStep() {
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    /**
     * A shared access is about to happen: a scheduling point labelled with the enclosing kernel
     * function and the access, e.g. {@code kvm_mmu_invalidate_end: mmu_invalidate_seq++ | WRITE_ONCE(kvm->mmu_invalidate_seq)}.
     */
    void access(String prim, String cell) {
        access(prim, cell, -1);
    }

    /** {@link #access}; {@code lockWord} is the lock word a {@code spin_lock} waits to take, or -1. */
    private void access(String prim, String cell, int lockWord) {
        Integer idx = me();
        if (idx == null) {
            return;
        }
        if (!record) {
            arrive(prim, false, lockWord); // the search needs only the decisions: no label to build
            return;
        }
        String what = prim + "(" + (cell == null ? "" : cell) + ")";
        String ctx;
        lock.lock();
        try {
            ctx = lockLabelNext[idx] != null ? lockLabelNext[idx] : context[idx];
            lockLabelNext[idx] = null;
        } finally {
            lock.unlock();
        }
        arrive(ctx == null ? what : ctx + " | " + what, false, lockWord);
    }

    /** The kernel function (last trace-point label) role {@code r} is in; null before its first. */
    String contextOf(int r) {
        lock.lock();
        try {
            return r >= 0 && r < context.length ? context[r] : null;
        } finally {
            lock.unlock();
        }
    }

    /** The calling thread's role in this execution, or null for setup and judge threads. */
    private Integer me() {
        return Thread.currentThread() instanceof RoleThread t && t.owner == this ? t.role : null;
    }

    /** How many roles the running execution has. */
    int roleCount() {
        return names.size();
    }

    /** Role names of the running execution. */
    String roleName(int r) {
        return r >= 0 && r < names.size() ? names.get(r) : "setup";
    }

    /** The role index of the calling thread, or -1 for setup and judge threads. */
    int currentRole() {
        Integer idx = me();
        return idx == null ? -1 : idx;
    }

    /** The 1-based number of the step the calling role is running. */
    int currentStep() {
        lock.lock();
        try {
            return steps.size();
        } finally {
            lock.unlock();
        }
    }

    /** Records what the current step's access did; {@code stale} marks a read of an older store. */
    void noteAccess(String text, boolean stale) {
        lock.lock();
        try {
            Integer idx = me();
            if (idx != null && current != null && current.role() == idx) {
                current.access(text, stale);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A read-from point inside the current step: which of {@code options} stores the load
     * reads (0 the latest). Called by the running role; the chooser decides.
     */
    int chooseRead(int options) {
        return decideInStep(options, false);
    }

    /**
     * Ends the execution from inside the running role's step as {@link Execution.Status#BLOCKED}:
     * its simulated memory found the step repeats one already run ({@link SimMemory}'s spin-assume).
     */
    void cut() {
        lock.lock();
        try {
            if (status == null) {
                finish(Execution.Status.BLOCKED);
            }
        } finally {
            lock.unlock();
        }
        throw new Abandoned();
    }

    private java.util.function.BooleanSupplier completion;

    /**
     * Asked when the execution ends (completed, deadlocked, cut by the step bound or an error):
     * false makes it {@link Execution.Status#BLOCKED}, unjudged.
     */
    void onComplete(java.util.function.BooleanSupplier allowed) {
        this.completion = allowed;
    }

    /** A hardware timing choice inside the current step; free against the bound. */
    @Override
    public int choose(String what, int options) {
        if (me() == null) {
            return 0; // setup and judge: the hardware has caught up
        }
        int pick = decideInStep(options, true);
        if (pick != 0) {
            noteAccess("(" + what + ": option " + pick + ")", false);
        }
        return pick;
    }

    private int decideInStep(int options, boolean free) {
        if (options <= 1) {
            return 0;
        }
        lock.lock();
        try {
            int pick = chooser.choose(new Decision(steps.size(), List.of(), Arrays.asList(pending.clone()), -1,
                    options, List.of(), free));
            if (pick < 0 || pick >= options) {
                throw new IllegalStateException("chooser picked read option " + pick + " of " + options);
            }
            choices.add(-1 - pick);
            return pick;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void broken(String what) {
        onOwnStep(s -> s.broken(what));
    }

    @Override
    public void observe(String what, long value) {
        onOwnStep(s -> s.observe(what, value));
    }

    /** Applies {@code f} to the current step if the calling role is the one running it. */
    private void onOwnStep(java.util.function.Consumer<Step> f) {
        Integer idx = me();
        if (idx == null) {
            return;
        }
        lock.lock();
        try {
            if (current != null && current.role() == idx) {
                f.accept(current);
            }
        } finally {
            lock.unlock();
        }
    }

    private void arrive(String label, boolean spin, int lockWord) {
        Integer idx = me();
        if (idx == null) {
            return;
        }
        lock.lock();
        try {
            pending[idx] = label;
            pendingSpin[idx] = spin;
            pendingLock[idx] = lockWord;
            if (granted == idx) {
                granted = -1;
            }
            if (started && status == null) {
                decide(); // the running role chooses who goes next: no round trip through the driver
            } else {
                changed.signalAll();
            }
            while (granted != idx && !abandoned) {
                turn[idx].awaitUninterruptibly(); // woken only by its own grant, never by another role's step
            }
            if (abandoned) {
                throw new Abandoned();
            }
            pending[idx] = null;
            pendingLock[idx] = -1;
        } finally {
            lock.unlock();
        }
    }

    /** Runs the roles of {@code run} under {@code chooser}, then the judge if all returned. */
    public Execution run(ScenarioRun run, Chooser chooser) {
        List<Role> roles = run.roles();
        int n = roles.size();
        names = roles.stream().map(Role::name).toList();
        pending = new String[n];
        pendingSpin = new boolean[n];
        done = new boolean[n];
        othersMoved = new boolean[n];
        lastSpin = new String[n];
        context = new String[n];
        lockLabelNext = new String[n];
        pendingLock = new int[n];
        Arrays.fill(pendingLock, -1);
        turn = new Condition[n];
        for (int i = 0; i < n; i++) {
            turn[i] = lock.newCondition();
        }
        passed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            passed.add(new ArrayList<>());
        }
        this.chooser = chooser;
        List<java.util.concurrent.Future<?>> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final int idx = i;
            threads.add(ROLE_THREADS.submit(() -> body(idx, roles.get(idx).body())));
        }
        Execution.Status end;
        lock.lock();
        try {
            while (!quiet()) {
                changed.awaitUninterruptibly();
            }
            started = true;
            decide();
            while (status == null) {
                changed.awaitUninterruptibly();
            }
            end = status;
        } finally {
            lock.unlock();
            for (java.util.concurrent.Future<?> t : threads) {
                joinQuietly(t);
            }
        }
        if (chooserFailure != null) {
            throw chooserFailure; // a schedule that does not fit, found while choosing
        }
        if (error instanceof Schedule.ScheduleMismatch m) {
            throw m; // a replayed read-from choice that does not fit, found by a role
        }
        Verdict verdict = null;
        if (completion != null && end != Execution.Status.SLEEP_BLOCKED && end != Execution.Status.BLOCKED
                && !completion.getAsBoolean()) {
            end = Execution.Status.BLOCKED; // the memory model forbids what it ran: a naive search's dead end, whatever came of it
        }
        MemoryLog memory = null;
        if (record) {
            memory = new MemoryLog(List.copyOf(memoryLog), finalValues == null ? java.util.Map.of()
                    : java.util.Map.copyOf(finalValues.get())); // before the judge's own accesses
        }
        if (end == Execution.Status.COMPLETED) {
            verdict = run.judge();
        }
        return new Execution(names, List.copyOf(steps), end, verdict, error, List.copyOf(choices), memory);
    }

    private void body(int idx, Runnable r) {
        RoleThread t = (RoleThread) Thread.currentThread();
        t.owner = this;
        t.role = idx;
        try {
            runRole(idx, r);
        } finally {
            t.owner = null; // the pool's thread serves other executions next
        }
    }

    private java.util.function.IntConsumer onRoleEnd;

    /**
     * Called in a role's thread when its code has returned, still as that role: what the memory
     * model lets happen after it (TSO: its buffered stores reach memory, each a step of its own).
     */
    void onRoleEnd(java.util.function.IntConsumer hook) {
        this.onRoleEnd = hook;
    }

    private void runRole(int idx, Runnable r) {
        try {
            r.run();
            if (onRoleEnd != null) {
                onRoleEnd.accept(idx);
            }
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
                if (started && status == null && !abandoned) {
                    decide();
                } else {
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * No role is running: choose who runs the next step, or end the execution. Called with the
     * lock held by the driver for the first step, then by the role that just stopped.
     */
    private void decide() {
        if (error != null) {
            finish(Execution.Status.ERROR);
            return;
        }
        List<Integer> enabled = new ArrayList<>();
        boolean allDone = true;
        for (int i = 0; i < done.length; i++) {
            if (done[i]) {
                continue;
            }
            allDone = false;
            boolean again = pendingSpin[i] && pending[i].equals(lastSpin[i]);
            // simulated memory knows what the role read since its last spin, or since its start:
            // back at the same spin point, or at its first one, it waits while all of that holds
            // (after another spin point those reads miss what the loop read before it)
            boolean first = pendingSpin[i] && lastSpin[i] == null;
            boolean blocked = spinState == null ? again && !othersMoved[i] : (again || first) && spinState.stable(i);
            blocked |= pendingLock[i] >= 0 && lockHeld != null && lockHeld.test(pendingLock[i]);
            if (!blocked) {
                enabled.add(i);
            }
        }
        if (allDone) {
            finish(Execution.Status.COMPLETED);
            return;
        }
        if (enabled.isEmpty()) {
            finish(Execution.Status.DEADLOCK);
            return;
        }
        if (steps.size() >= maxSteps) {
            finish(Execution.Status.STEP_BOUND);
            return;
        }
        List<List<String>> passedNow = new ArrayList<>();
        if (record) {
            for (List<String> p : passed) {
                passedNow.add(List.copyOf(p));
            }
        }
        Decision decision = new Decision(steps.size(), List.copyOf(enabled),
                Arrays.asList(pending.clone()), last, 0, passedNow, false);
        int pick;
        try {
            pick = chooser.choose(decision);
        } catch (RuntimeException ex) {
            chooserFailure = ex;
            finish(Execution.Status.ERROR); // unwind the roles before the caller sees it
            return;
        }
        if (pick == Chooser.STOP) {
            finish(Execution.Status.SLEEP_BLOCKED);
            return;
        }
        if (!enabled.contains(pick)) {
            chooserFailure = new IllegalStateException("chooser picked role " + pick + ", enabled " + enabled);
            finish(Execution.Status.ERROR);
            return;
        }
        current = new Step(steps.size() + 1, pick, pending[pick], pendingSpin[pick], decision.isPreemption(pick));
        if (record) {
            current.passed(passed.get(pick));
            passed.get(pick).clear();
        }
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
        if (me() == null || me() != pick) {
            turn[pick].signal(); // a role that picks itself runs on without a wake-up
        }
    }

    private void finish(Execution.Status s) {
        status = s;
        if (s != Execution.Status.COMPLETED) {
            abandoned = true;
            for (Condition c : turn) {
                c.signalAll();
            }
        }
        changed.signalAll();
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

    private static void joinQuietly(java.util.concurrent.Future<?> t) {
        boolean interrupted = false;
        for (;;) {
            try {
                t.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("role thread failed outside its body", e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
