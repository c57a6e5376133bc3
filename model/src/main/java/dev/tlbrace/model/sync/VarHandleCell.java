package dev.tlbrace.model.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** The one VarHandle over {@link Cell#value}. */
final class VarHandleCell {
    private VarHandleCell() { }

    static final VarHandle VALUE;
    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Cell.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
