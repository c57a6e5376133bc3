package dev.tlbrace.harness.cli;

import dev.tlbrace.harness.graph.Explorable;
import dev.tlbrace.harness.graph.MemoryModel;
import dev.tlbrace.harness.graph.MemoryModels;
import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusCheck;
import dev.tlbrace.harness.litmus.LitmusExplore;
import dev.tlbrace.harness.litmus.LitmusProgram;
import dev.tlbrace.harness.litmus.LitmusReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code litmus --compare}: every test through both engines, the checker ({@link LitmusCheck})
 * and the explorer ({@link LitmusExplore}), each difference classified by a check, not by name:
 * <ul>
 * <li>the explorer must reach exactly the final states of the checker restricted to the graphs
 *     the explorer builds ({@link Explorable}: no dependencies, {@code po ∪ rf} acyclic), counted
 *     exhaustively; anything else is a <b>bug</b> of the explorer or its reductions;</li>
 * <li>where its verdict then differs from the checker's, the difference is by design: it
 *     <b>needs dependencies</b> when the checker's verdict changes with addr/data/ctrl dropped,
 *     it <b>needs load buffering</b> when dropping the graphs with a {@code po ∪ rf} cycle
 *     changes it further (every witness of the condition has such a cycle).</li>
 * </ul>
 */
final class LitmusCompare {
    private LitmusCompare() {
    }

    enum Kind { SAME, DEPENDENCIES, LOAD_BUFFERING, BOTH, BUG, EXPLORER_REFUSES, CHECKER_REFUSES }

    private static final String[] HEADS = {"same", "deps", "LB", "deps+LB", "bug", "explore refuses", "check refuses"};

    static int run(List<Path> paths, MemoryModels.Model m, long timeLimitMillis, boolean dependencies, PrintWriter out,
            PrintWriter err)
            throws IOException {
        Map<String, int[]> byFolder = new TreeMap<>();
        Map<String, int[]> byFamily = new TreeMap<>();
        Map<String, Integer> refusals = new TreeMap<>();
        int[] total = new int[Kind.values().length];
        long start = System.nanoTime();
        long exploreMillis = 0;
        long checkMillis = 0;
        for (Path f : paths) {
            Kind k;
            String line;
            String name = f.getFileName().toString().replaceFirst("\\.litmus$", "");
            LitmusAst.Test t;
            try {
                t = LitmusReader.read(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
                name = t.name();
            } catch (LitmusReader.LitmusSyntaxError | IndexOutOfBoundsException e) {
                t = null;
            }
            LitmusCheck.Outcome check = null;
            try {
                if (t != null) {
                    check = LitmusCheck.run(t, m);
                    checkMillis += check.millis();
                }
            } catch (LitmusProgram.Unsupported | IndexOutOfBoundsException e) {
                check = null;
            }
            if (check == null) {
                k = Kind.CHECKER_REFUSES;
                line = "check refuses it";
            } else {
                LitmusCheck.Outcome ex = null;
                String why = null;
                try {
                    ex = LitmusExplore.run(t, MemoryModel.byId(m.id()), timeLimitMillis, dependencies);
                    exploreMillis += ex.millis();
                } catch (LitmusProgram.Unsupported e) {
                    why = (e.line() > 0 ? "line " + e.line() + ": " : "") + e.getMessage();
                } catch (IndexOutOfBoundsException e) {
                    why = "a primitive is missing an argument";
                }
                if (ex == null) {
                    k = Kind.EXPLORER_REFUSES;
                    line = "explore refuses it: " + why;
                    refusals.merge(construct(why), 1, Integer::sum);
                } else {
                    LitmusCheck.Outcome reach = LitmusCheck.run(t, new Explorable(m, !dependencies, true), true);
                    checkMillis += reach.millis();
                    if (!reach.observed().equals(ex.observed()) || !reach.finalStates().equals(ex.finalStates())) {
                        k = Kind.BUG;
                        java.util.Set<String> missed = new java.util.TreeSet<>(reach.finalStates());
                        missed.removeAll(ex.finalStates());
                        java.util.Set<String> extra = new java.util.TreeSet<>(ex.finalStates());
                        extra.removeAll(reach.finalStates());
                        line = "BUG: explore " + ex.observed() + ", the checker on the explorer's graphs " + reach.observed()
                                + "; states missed " + missed + ", states extra " + extra;
                    } else if (ex.observed().equals(check.observed())) {
                        k = Kind.SAME;
                        line = null;
                    } else {
                        LitmusCheck.Outcome noDeps = LitmusCheck.run(t, new Explorable(m, true, false));
                        boolean deps = !dependencies && !noDeps.observed().equals(check.observed());
                        boolean lb = !noDeps.observed().equals(reach.observed());
                        k = deps && lb ? Kind.BOTH : deps ? Kind.DEPENDENCIES : Kind.LOAD_BUFFERING;
                        line = "by design (" + (deps && lb ? "dependencies and load buffering" : deps ? "dependencies"
                                : "load buffering") + "): check " + check.observed() + ", without dependencies "
                                + noDeps.observed() + ", explore " + ex.observed();
                    }
                }
            }
            if (line != null) {
                out.printf("%-60s %s%n", f, line);
            }
            total[k.ordinal()]++;
            String folder = f.getParent() == null ? "." : f.getParent().getFileName().toString();
            byFolder.computeIfAbsent(folder, x -> new int[Kind.values().length])[k.ordinal()]++;
            byFamily.computeIfAbsent(LitmusCommand.family(name), x -> new int[Kind.values().length])[k.ordinal()]++;
        }
        table(out, "folder", byFolder);
        table(out, "family", byFamily);
        if (!refusals.isEmpty()) {
            out.println("explore refuses, by construct:");
            refusals.forEach((c, n) -> out.printf("  %5d  %s%n", n, c));
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.printf("%d files (%s, explore %s dependencies): %d same verdict, %d need dependencies, %d need load buffering, %d need both, %d bugs, "
                        + "%d the explorer refuses, %d the checker refuses (check %d ms, explore %d ms, %d ms in all)%n",
                paths.size(), m.id(), dependencies ? "with" : "without", total[0], total[1], total[2], total[3], total[4], total[5], total[6], checkMillis,
                exploreMillis, ms);
        return total[Kind.BUG.ordinal()] > 0 ? Main.FOUND : Main.OK;
    }

    /** A refusal's construct: the message without the file's line, e.g. {@code spin_trylock(): ...}. */
    private static String construct(String why) {
        String s = why == null ? "?" : why.replaceFirst("^line \\d+: ", "");
        s = s.replaceFirst("plain access \\S+:", "plain access:");
        s = s.replaceFirst("^the explorer's search did not end exhaustive.*", "the explorer's search did not end exhaustive");
        s = s.replaceFirst("an access to \\S+,", "an access to a location");
        s = s.replaceFirst("the address \\S+ is", "an address that is");
        s = s.replaceFirst("unknown primitive '.*'", "unknown primitive");
        return s;
    }

    private static void table(PrintWriter out, String what, Map<String, int[]> m) {
        StringBuilder h = new StringBuilder(String.format("| %s | files |", what));
        StringBuilder sep = new StringBuilder("|---|---|");
        for (String head : HEADS) {
            h.append(' ').append(head).append(" |");
            sep.append("---|");
        }
        out.println(h);
        out.println(sep);
        m.forEach((k, c) -> {
            StringBuilder row = new StringBuilder("| " + k + " | " + java.util.Arrays.stream(c).sum() + " |");
            for (int n : c) {
                row.append(' ').append(n).append(" |");
            }
            out.println(row);
        });
    }
}
