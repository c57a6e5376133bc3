package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A schedule string: the role chosen at every step, run-length encoded as {@code role:count}
 * pairs joined by dots, e.g. {@code 0:7.1:7.0:11.1:1} (role indexes are the scenario's role
 * order). Under a weak memory model a step whose load read an older store carries its
 * read-from choices after a tilde: {@code 1:4~1} means the fourth step of that run read the
 * newest-but-one store (option 0, the newest, is the default and is not written unless another
 * read of the same step needs it: {@code ~0~2}). Printed by explore, read back by replay.
 */
public final class Schedule {
    private Schedule() { }

    /** A parsed schedule: the role at each step, and the read-from choices made inside steps. */
    public record Parsed(List<Integer> roles, Map<Integer, List<Integer>> reads) {
        public int steps() {
            return roles.size();
        }
    }

    /** Formats an execution's decisions ({@link Execution#choices()}). */
    public static String format(List<Integer> choices) {
        List<Integer> roles = new ArrayList<>();
        Map<Integer, List<Integer>> reads = new HashMap<>();
        for (int c : choices) {
            if (c >= 0) {
                roles.add(c);
            } else {
                reads.computeIfAbsent(roles.size() - 1, k -> new ArrayList<>()).add(-1 - c);
            }
        }
        reads.values().removeIf(l -> l.stream().allMatch(k -> k == 0));
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < roles.size()) {
            int r = roles.get(i);
            int j = i;
            while (j < roles.size() && roles.get(j) == r && !reads.containsKey(j)) {
                j++;
            }
            if (j < roles.size() && roles.get(j) == r) {
                j++; // the run ends with the annotated step
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(r).append(':').append(j - i);
            List<Integer> rs = reads.get(j - 1);
            if (rs != null) {
                for (int k : rs) {
                    sb.append('~').append(k);
                }
            }
            i = j;
        }
        return sb.toString();
    }

    /** Parses a schedule string for {@code roles} roles; IllegalArgumentException if malformed. */
    public static Parsed parse(String s, int roles) {
        List<Integer> out = new ArrayList<>();
        Map<Integer, List<Integer>> reads = new HashMap<>();
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("empty schedule");
        }
        for (String run : s.trim().split("\\.")) {
            String[] parts = run.split("~", -1);
            String[] rc = parts[0].split(":");
            int role;
            int count;
            List<Integer> ks = new ArrayList<>();
            try {
                if (rc.length != 2) {
                    throw new NumberFormatException();
                }
                role = Integer.parseInt(rc[0]);
                count = Integer.parseInt(rc[1]);
                for (int p = 1; p < parts.length; p++) {
                    int k = Integer.parseInt(parts[p]);
                    if (k < 0) {
                        throw new NumberFormatException();
                    }
                    ks.add(k);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad schedule run '" + run + "': expected ROLE:COUNT or ROLE:COUNT~READ, e.g. 0:7.1:3~1");
            }
            if (role < 0 || role >= roles || count <= 0) {
                throw new IllegalArgumentException("bad schedule run '" + run + "': role must be 0.." + (roles - 1)
                        + " and count positive");
            }
            for (int k = 0; k < count; k++) {
                out.add(role);
            }
            if (!ks.isEmpty()) {
                reads.put(out.size() - 1, ks);
            }
        }
        return new Parsed(out, reads);
    }

    /** A chooser that follows {@code p} exactly and fails loudly where it does not fit. */
    public static Chooser exact(Parsed p, List<String> roles) {
        List<Integer> choices = p.roles();
        return new Chooser() {
            private int readStep = -1;
            private int readIndex;

            @Override
            public int choose(Decision d) {
                if (d.isRead()) {
                    int step = d.step() - 1;
                    if (step != readStep) {
                        readStep = step;
                        readIndex = 0;
                    }
                    List<Integer> ks = p.reads().getOrDefault(step, List.of());
                    int k = readIndex < ks.size() ? ks.get(readIndex) : 0;
                    readIndex++;
                    if (k >= d.options()) {
                        throw new ScheduleMismatch("schedule does not fit at step " + (step + 1) + ": read option " + k
                                + " asked, but the load there may read only " + d.options() + " stores");
                    }
                    return k;
                }
                if (d.step() >= choices.size()) {
                    throw new ScheduleMismatch("schedule ends after step " + choices.size()
                            + " but roles are still running: " + pendingText(d, roles));
                }
                int want = choices.get(d.step());
                if (!d.enabled().contains(want)) {
                    throw new ScheduleMismatch("schedule does not fit at step " + (d.step() + 1) + ": role "
                            + want + " (" + roles.get(want) + ") cannot run there; " + pendingText(d, roles));
                }
                return want;
            }
        };
    }

    private static String pendingText(Decision d, List<String> roles) {
        List<String> parts = new ArrayList<>();
        for (int r = 0; r < roles.size(); r++) {
            String p = d.pending().get(r);
            parts.add(r + " " + roles.get(r) + (p == null ? " done" : d.enabled().contains(r) ? " at " + p : " waiting at " + p));
        }
        return String.join("; ", parts);
    }

    /** A schedule that does not fit the scenario. */
    public static final class ScheduleMismatch extends RuntimeException {
        public ScheduleMismatch(String message) {
            super(message);
        }
    }
}
