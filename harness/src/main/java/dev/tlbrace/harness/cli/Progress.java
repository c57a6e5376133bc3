package dev.tlbrace.harness.cli;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * One phase's progress (tests done of a total, failures, ETA), written the way the reader sees
 * it: on a terminal, one line redrawn in place (a bar, done/total, ETA); in a log, a line at
 * every tenth of the tests (but not within {@link #STEP_GAP_MS} of the last, so a phase of a few
 * seconds is not a line per test) and after {@link #HEARTBEAT_MS} of silence, never one per
 * event. Thread-safe: the explorer reports from its worker threads.
 */
final class Progress {
    /** In a log, the longest silence while the phase runs. */
    static final long HEARTBEAT_MS = 30_000;
    /** In a log, the least time between two lines for tenths done. */
    static final long STEP_GAP_MS = 5_000;
    private static final int BAR = 24;

    private final PrintWriter out;
    private final String label;
    private final int total;
    private final boolean tty;
    private final LongSupplier clock;
    private final long start;
    private long lastLine;
    private int lastTenth;
    private int done;
    private int failed;
    private long eta = -1;
    private String drawn = "";
    private boolean finished;

    /**
     * @param tty   redraw one line in place (a terminal) rather than append lines (a log)
     * @param clock milliseconds, for the ETA and the heartbeat
     */
    Progress(PrintWriter out, String label, int total, boolean tty, LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.tty = tty;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastLine = start;
    }

    /** Whether this JVM's output is a terminal: {@code System.console()}, as Java sees it. */
    static boolean terminal() {
        return System.console() != null;
    }

    /**
     * {@code done} of the total finished, {@code failed} of them red; {@code etaMillis} the time
     * left if the caller knows it better, else -1 for an estimate from the rate so far.
     */
    synchronized void update(int done, int failed, long etaMillis) {
        if (finished) {
            return;
        }
        this.done = Math.min(Math.max(done, this.done), total);
        this.failed = Math.max(failed, this.failed);
        this.eta = etaMillis;
        emit(false);
    }

    /** Nothing new finished: lets a log line fall due after a silence, or a bar's clock move. */
    synchronized void tick() {
        if (!finished) {
            emit(false);
        }
    }

    /** A line of its own (a failure), above the bar on a terminal, which is then redrawn. */
    synchronized void println(String line) {
        if (tty && !finished) {
            out.print("\r\033[K" + line + "\n");
            drawn = "";
            emit(true);
        } else {
            out.println(line);
            out.flush();
        }
    }

    /** The phase is over: a bar is finished with a newline; both end with {@code summary}. */
    synchronized void finish(String summary) {
        if (finished) {
            return;
        }
        finished = true;
        String line = "  " + label + ": " + summary;
        if (tty) {
            out.print("\r" + line + "\033[K\n");
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void emit(boolean force) {
        long now = clock.getAsLong();
        if (tty) {
            String text = barText(now);
            if (force || !text.equals(drawn)) {
                out.print("\r" + text + "\033[K");
                out.flush();
                drawn = text;
            }
            return;
        }
        int tenth = done * 10 / total;
        boolean step = tenth > lastTenth && done < total && now - lastLine >= STEP_GAP_MS; // the last line is finish()'s
        if (force || step || now - lastLine >= HEARTBEAT_MS) {
            lastTenth = Math.max(lastTenth, tenth);
            lastLine = now;
            out.println(logText(now));
            out.flush();
        }
    }

    private String barText(long now) {
        int filled = done * BAR / total;
        return "  " + label + " [" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + done + "/" + total + " tests"
                + (failed > 0 ? ", " + failed + " failed" : "") + ", " + etaText(now);
    }

    private String logText(long now) {
        return "  " + label + ": " + done + "/" + total + " tests (" + done * 100 / total + "%)"
                + (failed > 0 ? ", " + failed + " failed" : "") + ", " + clockText(now - start) + " elapsed, " + etaText(now);
    }

    private String etaText(long now) {
        long left = eta >= 0 ? eta : done == 0 ? -1 : (now - start) * (total - done) / done;
        return left < 0 ? "ETA unknown" : "ETA " + clockText(left);
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
    static String clockText(long millis) {
        long s = Math.max(0, (millis + 500) / 1000);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
