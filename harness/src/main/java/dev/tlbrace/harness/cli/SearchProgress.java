package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.explore.Explorer;
import java.io.PrintWriter;

/**
 * The exhaustive search's progress line: executions so far, their rate, the parts of the tree
 * done of those made so far, and the share of the tree done where the search can estimate it
 * ({@link Explorer#progress()}), first after {@link #QUIET_MS} (a search of a few
 * seconds shows nothing), then every second, redrawn in place on a terminal; in a log
 * ({@code --progress} without one) a line every {@link #LOG_MS}. Cleared when the search ends,
 * so stdout's verdict reads the same with or without it.
 */
final class SearchProgress implements AutoCloseable {
    static final long QUIET_MS = 3_000;
    static final long LOG_MS = 15_000;

    private final java.util.concurrent.ScheduledExecutorService ticker;
    private final Explorer explorer;
    private final PrintWriter err;
    private final boolean tty;
    private final long start = System.nanoTime();
    private long lastLine; // the ticker's own: one thread runs every tick
    private boolean drawn;

    private SearchProgress(Explorer explorer, PrintWriter err, boolean tty) {
        this.explorer = explorer;
        this.err = err;
        this.tty = tty;
        this.ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tlbrace-progress");
            t.setDaemon(true);
            return t;
        });
    }

    /** One tick: the line, if there is something to say and (in a log) it is time to say it. */
    private void tick() {
        long ms = (System.nanoTime() - start) / 1_000_000;
        Explorer.Progress p = explorer.progress();
        if (p.executions() > 0 && (tty || ms - lastLine >= LOG_MS)) {
            String line = line(p, ms);
            synchronized (this) {
                if (tty) {
                    err.print("\r" + line + "\033[K");
                    drawn = true;
                } else {
                    err.println(line);
                }
                err.flush();
            }
            lastLine = ms;
        }
    }

    /** What the line says at {@code ms} into the search. */
    static String line(Explorer.Progress p, long ms) {
        long rate = ms <= 0 ? 0 : p.executions() * 1000 / ms;
        String done = p.done() < 0 ? "" : String.format(", ~%d%% of the tree (estimate)", Math.round(p.done() * 100));
        String parts = p.partsKnown() <= 0 ? "" : String.format(", %,d of %,d parts done", p.partsDone(), p.partsKnown());
        return String.format("  exploring: %,d executions, %,d/s%s%s, %d s", p.executions(), rate, done, parts, ms / 1000);
    }

    /** A running progress line, or one that prints nothing when {@code on} is false. */
    static SearchProgress start(Explorer explorer, PrintWriter err, boolean on, boolean tty) {
        SearchProgress p = new SearchProgress(explorer, err, tty);
        if (on) {
            p.ticker.scheduleAtFixedRate(p::tick, QUIET_MS, 1_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return p;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (drawn) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
