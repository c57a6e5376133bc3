package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * A schedule string: the role chosen at every step, run-length encoded as
 * {@code role:count} pairs joined by dots, e.g. {@code 0:7.1:7.0:11.1:1} (role indexes are
 * the scenario's role order). Printed by explore, read back by replay.
 */
public final class Schedule {
    private Schedule() { }

    public static String format(List<Integer> choices) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < choices.size()) {
            int r = choices.get(i);
            int j = i;
            while (j < choices.size() && choices.get(j) == r) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(r).append(':').append(j - i);
            i = j;
        }
        return sb.toString();
    }

    /** Parses a schedule string for {@code roles} roles; IllegalArgumentException if malformed. */
    public static List<Integer> parse(String s, int roles) {
        List<Integer> out = new ArrayList<>();
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("empty schedule");
        }
        for (String run : s.trim().split("\\.")) {
            String[] rc = run.split(":");
            int role;
            int count;
            try {
                if (rc.length != 2) {
                    throw new NumberFormatException();
                }
                role = Integer.parseInt(rc[0]);
                count = Integer.parseInt(rc[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad schedule run '" + run + "': expected ROLE:COUNT, e.g. 0:7.1:3");
            }
            if (role < 0 || role >= roles || count <= 0) {
                throw new IllegalArgumentException("bad schedule run '" + run + "': role must be 0.." + (roles - 1)
                        + " and count positive");
            }
            for (int k = 0; k < count; k++) {
                out.add(role);
            }
        }
        return out;
    }

    /** A chooser that follows {@code choices} exactly and fails loudly where they do not fit. */
    public static Chooser exact(List<Integer> choices, List<String> roles) {
        return d -> {
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
