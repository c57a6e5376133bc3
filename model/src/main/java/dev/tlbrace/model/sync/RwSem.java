package dev.tlbrace.model.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * rw_semaphore (mmap_lock): many readers or one writer; acquire on down, release on up.
 * Waiters spin through a trace point rather than sleep, for the same reason as {@link SpinLock}.
 */
public final class RwSem {
    private static final VarHandle COUNT;
    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(RwSem.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int WRITER = -1;
    private final Sched sched;
    private final String name;
    private int count; // readers > 0, WRITER when write-held; via COUNT

    public RwSem(String name, Sched sched) {
        this.name = name;
        this.sched = sched;
    }

    public void downRead() {
        sched.point("down_read(" + name + ")");
        for (;;) {
            int c = (int) COUNT.getOpaque(this);
            if (c != WRITER && COUNT.compareAndSet(this, c, c + 1)) {
                return;
            }
            sched.spin("down_read(" + name + "): writer holds it");
        }
    }

    public void upRead() {
        sched.point("up_read(" + name + ")");
        COUNT.getAndAddRelease(this, -1);
    }

    public void downWrite() {
        sched.point("down_write(" + name + ")");
        while (!COUNT.compareAndSet(this, 0, WRITER)) {
            sched.spin("down_write(" + name + "): held");
        }
    }

    public void upWrite() {
        sched.point("up_write(" + name + ")");
        COUNT.setRelease(this, 0);
    }
}
