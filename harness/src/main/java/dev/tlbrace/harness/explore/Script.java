package dev.tlbrace.harness.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * An interleaving written the way a commit message tells it: "run the Invalidator until it is
 * about to zap the PTE, then the vCPU until the guest runs, then ...". A step ends when its
 * role is about to pass a label starting with {@code until}, is blocked (spinning while nobody
 * else moves), or is done; a role that is blocked simply yields, so the same script drives a
 * fixed variant where the racy step cannot happen. After the last step every role runs to
 * completion, lowest role first.
 */
public final class Script {

    /** Run {@code role} until it is about to pass a label starting with {@code until} (null: to the end). */
    public record Entry(String role, String until) { }

    private final List<Entry> entries = new ArrayList<>();

    public static Script of() {
        return new Script();
    }

    public Script until(String role, String labelPrefix) {
        entries.add(new Entry(role, labelPrefix));
        return this;
    }

    public Script toEnd(String role) {
        entries.add(new Entry(role, null));
        return this;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** A chooser that follows this script for roles named as in {@code roles}. */
    public Chooser chooser(List<String> roles) {
        for (Entry e : entries) {
            if (!roles.contains(e.role())) {
                throw new IllegalArgumentException("script names role '" + e.role() + "'; roles are " + roles);
            }
        }
        return new Chooser() {
            private int pos;

            @Override
            public int choose(Decision d) {
                if (d.isRead()) {
                    return 0; // a commit's interleaving reads the latest stores
                }
                while (pos < entries.size()) {
                    Entry e = entries.get(pos);
                    int r = roles.indexOf(e.role());
                    boolean atLabel = e.until() != null && d.reached(r, e.until());
                    if (!d.enabled().contains(r) || atLabel) {
                        pos++;
                        continue;
                    }
                    return r;
                }
                return d.enabled().contains(d.last()) ? d.last() : d.enabled().get(0);
            }
        };
    }
}
