package dev.tlbrace.toy;

import dev.tlbrace.harness.explore.Script;
import dev.tlbrace.harness.program.Role;
import dev.tlbrace.harness.program.ScenarioRun;
import dev.tlbrace.harness.program.Verdict;
import dev.tlbrace.harness.scenario.Expectation;
import dev.tlbrace.harness.scenario.Scenario;
import dev.tlbrace.harness.scenario.Variant;
import dev.tlbrace.model.check.Violation;
import dev.tlbrace.model.sync.Cell;
import dev.tlbrace.model.sync.Memory;
import dev.tlbrace.model.sync.Sched;
import java.util.List;

/**
 * A toy race, added the way README "Adding a race" says and nothing more: this file and a
 * registry line ({@code AddARaceTest} writes the ServiceLoader file). Two CPUs take a reference
 * on one page; with {@code read-then-write} the count is READ_ONCE then WRITE_ONCE:
 * <pre>
 * 1. (CPU0) get_page: READ_ONCE(page->_refcount)       1
 * 2. (CPU1) get_page: READ_ONCE(page->_refcount)       1
 * 3. (CPU1) get_page: WRITE_ONCE(page->_refcount, 2)
 * 4. (CPU0) get_page: WRITE_ONCE(page->_refcount, 2)   one reference lost: LOST_REFERENCE
 * </pre>
 * {@code atomic-inc} is page_ref_inc(): one atomic_add, nothing lost.
 */
public final class ToyLostUpdate implements Scenario {
    public static final String ID = "toy-lost-update";
    static final String COUNTED = "BOTH_COUNTED";
    static final String LOST = "LOST_REFERENCE";

    private static final List<Variant> VARIANTS = List.of(
            new Variant("read-then-write", "toy", Expectation.KNOWN_BUG, "get_page as READ_ONCE then WRITE_ONCE"),
            new Variant("atomic-inc", "include/linux/page_ref.h", Expectation.FIXED, "get_page as page_ref_inc()"));

    @Override public String id() { return ID; }

    @Override public String title() { return "toy: two get_page() on one page"; }

    @Override public String invariant() { return "refcount: every reference taken is counted"; }

    @Override public String badOutcome() { return LOST; }

    @Override public List<Outcome> outcomes() {
        return List.of(new Outcome(COUNTED, false, "the count is 3: both references counted"),
                new Outcome(LOST, true, "the count is 2: a reference was lost"));
    }

    @Override public List<Variant> variants() { return VARIANTS; }

    @Override public List<String> roles() { return List.of("CPU0", "CPU1"); }

    @Override
    public ScenarioRun newRun(Variant variant, Memory mem) {
        boolean atomic = variant(variant.id()).id().equals("atomic-inc");
        Cell refcount = mem.cell("page->_refcount", 1);
        Sched sched = mem.sched;
        Runnable getPage = () -> {
            sched.point("get_page");
            if (atomic) {
                mem.atomic_add(refcount, 1);
            } else {
                long r = mem.READ_ONCE(refcount);
                sched.point("get_page: write back");
                mem.WRITE_ONCE(refcount, r + 1);
            }
        };
        return new ScenarioRun() {
            @Override public List<Role> roles() {
                return List.of(new Role("CPU0", getPage), new Role("CPU1", getPage));
            }

            @Override public Verdict judge() {
                long n = mem.READ_ONCE(refcount);
                return n == 3 ? new Verdict(COUNTED, false, List.of(), "refcount 3")
                        : new Verdict(LOST, true, List.of(new Violation("refcount", "refcount " + n + ", want 3")), "refcount " + n);
            }
        };
    }

    @Override
    public Script commitScript() {
        return Script.of().until("CPU0", "get_page: write back").toEnd("CPU1").toEnd("CPU0");
    }
}
