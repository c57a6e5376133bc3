package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.explore.Execution;
import dev.tlbrace.harness.explore.LitmusExport;
import dev.tlbrace.harness.graph.MemoryModels;
import java.util.ArrayList;
import java.util.List;

/**
 * A counterexample as the litmus test {@code tlbrace litmus} answers Sometimes for, of the
 * smallest skeleton that says what it can ({@link LitmusExport#skeletons}): the first one this
 * checker can enumerate and finds Sometimes for; for a counterexample found with an ordering
 * point weakened ({@code fences}), the first whose exists clause is Never with the point put
 * back, if one is, else the first that answers Sometimes, saying so.
 */
public final class CounterexampleLitmus {
    private CounterexampleLitmus() { }

    /**
     * What the export chose.
     *
     * @param text         the litmus test: when no skeleton could be checked here, the smallest, unchecked
     * @param skeleton     which locations it keeps
     * @param observed     what {@code tlbrace litmus} answers for it under lkmm, or why it cannot
     * @param restored     with the weakened point put back: Never, Sometimes, or null when nothing was weakened
     * @param restoredText the same test with the point put back (null when nothing was weakened)
     * @param tried        one line per skeleton tried: its locations and what each version answered
     */
    public record Exported(String text, LitmusExport.Skeleton skeleton, String observed, String restored, String restoredText,
                           List<String> tried) {
        public boolean sometimes() {
            return "Sometimes".equals(observed);
        }
    }

    public static Exported export(Execution e, LitmusExport.Origin o) {
        MemoryModels.Model lkmm = MemoryModels.byId("lkmm");
        boolean weakened = LitmusExport.weakened(e);
        List<String> tried = new ArrayList<>();
        Exported first = null;
        LitmusExport.Skeleton smallest = null;
        for (LitmusExport.Skeleton s : LitmusExport.skeletons(e)) {
            String text;
            try {
                text = LitmusExport.write(e, o, false, s);
            } catch (IllegalArgumentException nothingToPin) {
                tried.add(s.name() + " (" + s.cells().size() + " locations): " + nothingToPin.getMessage());
                continue;
            }
            if (smallest == null) {
                smallest = s;
            }
            String observed = answer(text, lkmm);
            String line = s.name() + " (" + s.cells().size() + " locations): " + observed;
            if (!observed.equals("Sometimes")) {
                tried.add(line);
                continue;
            }
            if (!weakened) {
                tried.add(line);
                return new Exported(text, s, observed, null, null, tried);
            }
            String back = LitmusExport.write(e, o, true, s);
            String restored = answer(back, lkmm);
            tried.add(line + ", with the point put back: " + restored);
            Exported x = new Exported(text, s, observed, restored, back, tried);
            if (restored.equals("Never")) {
                return new Exported(text, s, observed, restored, back, List.copyOf(tried));
            }
            if (first == null) {
                first = x;
            }
        }
        if (first != null) {
            return new Exported(first.text(), first.skeleton(), first.observed(), first.restored(), first.restoredText(),
                    List.copyOf(tried));
        }
        // none this checker could enumerate: the smallest, unchecked here (herd7 solves for values instead)
        if (smallest == null) {
            throw new IllegalArgumentException("no skeleton of this counterexample pins anything: " + tried);
        }
        String text = LitmusExport.write(e, o, false, smallest);
        return new Exported(text, smallest, answer(text, lkmm), null, weakened ? LitmusExport.write(e, o, true, smallest) : null,
                List.copyOf(tried));
    }

    /**
     * What this checker is asked at most, measured on the 2-core machine: beyond either it took
     * minutes or did not finish (its search over which unlock each lock reads and over read
     * values multiplies). herd7 has neither limit.
     */
    static final long MAX_COMBINATIONS = 20_000;
    static final long MAX_LOCKS = 4;

    /**
     * A lower bound on what {@link LitmusProgram} enumerates for the busiest process of an
     * exported test: it offers every read every constant of the test, so (constants)^(reads),
     * reads being the registers the test declares. Asked first: the checker finds it out only
     * after building that many runs, minutes for the big ones.
     */
    static long combinations(String text) {
        java.util.Set<String> constants = new java.util.HashSet<>();
        String code = text.replaceAll("(?s)\\(\\*.*?\\*\\)", "").replaceAll("(?s)/\\*.*?\\*/", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![\\w:])-?\\d+(?![\\w:])").matcher(code);
        while (m.find()) {
            constants.add(m.group());
        }
        long worst = 1;
        for (String proc : code.split("\\nP\\d+\\(")) {
            long regs = proc.lines().filter(l -> l.matches("\\s*int r\\d+;")).count();
            long n = 1;
            for (int i = 0; i < regs && n <= LitmusProgram.MAX_TRACES; i++) {
                n *= Math.max(1, constants.size());
            }
            worst = Math.max(worst, n);
        }
        return worst;
    }

    /** Never, Sometimes or Always under lkmm, or why the checker could not answer. */
    static String answer(String text, MemoryModels.Model model) {
        long n = combinations(text);
        if (n > MAX_COMBINATIONS) {
            return "too big for this checker (at least " + n + " combinations of read values on one CPU)";
        }
        long locks = text.lines().filter(l -> l.trim().startsWith("spin_lock(")).count();
        if (locks > MAX_LOCKS) {
            return "too big for this checker (" + locks + " critical sections: lock.cat's orders of them multiply)";
        }
        LitmusAst.Test test;
        try {
            test = LitmusReader.read("counterexample.litmus", text);
        } catch (LitmusReader.LitmusSyntaxError x) {
            throw new IllegalStateException("the exported test does not read back: " + x.getMessage() + "\n" + text, x);
        }
        String[] answer = new String[1];
        RuntimeException[] failed = new RuntimeException[1];
        Thread t = new Thread(() -> {
            try {
                answer[0] = LitmusCheck.run(test, MemoryModels.interruptible(model)).observed();
            } catch (MemoryModels.Interrupted x) {
                answer[0] = null; // past the limit: the caller says so
            } catch (LitmusProgram.Unsupported x) {
                answer[0] = "too big for this checker (" + x.getMessage() + ")";
            } catch (RuntimeException x) {
                failed[0] = x;
            }
        }, "litmus-export-check");
        t.setDaemon(true);
        t.start();
        try {
            t.join(CHECK_MILLIS);
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            t.interrupt(); // the model's next judgement ends the search and frees the core
            return "too big for this checker (no answer in " + CHECK_MILLIS / 1000 + " s)";
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return answer[0];
    }

    /** How long one check may take: past it the search is interrupted (its model stops it). */
    static final long CHECK_MILLIS = 20_000;
}
