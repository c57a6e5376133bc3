package dev.tlbrace.harness.explore;

import dev.tlbrace.model.iommu.IotlbEntry;
import dev.tlbrace.model.kvm.KvmVcpu;
import dev.tlbrace.model.mem.FrameRef;
import dev.tlbrace.model.mem.Pte;
import dev.tlbrace.model.mm.Fault;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders an {@link Execution} as the timeline a commit message would carry: numbered steps,
 * one column per role, kernel function names, and the values each step read or wrote.
 * Uncontended lock and unlock steps are folded away unless {@code allSteps}.
 */
public final class Timeline {
    private Timeline() { }

    private static final int MAX_COLUMN = 64;

    /** A step's text: the kernel function, then the access it made (under simulated memory). */
    public static String text(Step s) {
        if (s.access() == null) {
            return s.label();
        }
        int bar = s.label().indexOf(" | ");
        String function = bar < 0 ? "" : s.label().substring(0, bar) + "  ";
        return function + s.access();
    }

    /** A lock's or rwsem's own trace point ({@code spin_lock(ptl)}, {@code up_read(mmap_lock)}). */
    public static boolean isLockLabel(String l) {
        return l.startsWith("spin_lock(") || l.startsWith("spin_unlock(")
                || l.startsWith("down_read(") || l.startsWith("up_read(")
                || l.startsWith("down_write(") || l.startsWith("up_write(");
    }

    /** Whether a step is lock bookkeeping a reader can skip. */
    public static boolean isLockStep(Step s) {
        String l = s.label();
        return isLockLabel(l) && !l.contains("contended") && !l.contains("holds") && !l.contains("held");
    }

    private static String text(String label, List<Step.Observation> observations) {
        StringBuilder sb = new StringBuilder(label);
        for (Step.Observation o : observations) {
            sb.append("  ").append(o.what()).append(' ').append(format(o.what(), o.value()));
        }
        return sb.toString();
    }

    /** Formats an observed value by what it is: PTEs, IOTLB entries, frame refs, pfns. */
    public static String format(String what, long v) {
        if (what.contains("pte") && !what.contains("spte")) {
            return Pte.describe(v);
        }
        if (what.startsWith("iotlb")) {
            return IotlbEntry.describe(v);
        }
        if (what.equals("spte")) {
            return FrameRef.describe(v);
        }
        if (what.contains("pfn")) {
            return "0x" + Long.toHexString(v);
        }
        if (what.contains("mode") || what.startsWith("kick")) {
            return KvmVcpu.modeName((int) v);
        }
        if (what.equals("fault result")) {
            return Fault.Result.values()[(int) v].name();
        }
        if (what.startsWith("fill dropped")) {
            return "";
        }
        return Long.toString(v);
    }

    /**
     * Formats a value of {@code cell} as the model that made the cell declared
     * ({@link dev.tlbrace.model.sync.Memory#cell(String, long, java.util.function.LongFunction)}), else by its name.
     */
    public static String formatCell(dev.tlbrace.model.sync.Cell cell, long v) {
        String d = cell.describe(v);
        return d != null ? d : formatCell(cell.name(), v);
    }

    /**
     * Formats a value by the name of the cell it lives in, for cells made with no format: the
     * models made before cells declared their own (PTEs, IOTLB entries, SPTEs and VMCS fields,
     * vCPU modes). A new model declares its format where it makes the cell instead.
     */
    public static String formatCell(String cell, long v) {
        if (cell.startsWith("pte[")) {
            return Pte.describe(v);
        }
        if (cell.startsWith("spte") || cell.contains("APIC_ACCESS_ADDR")) {
            return FrameRef.describe(v);
        }
        if (cell.startsWith("iotlb")) {
            return IotlbEntry.describe(v);
        }
        if (cell.endsWith("->mode")) {
            return KvmVcpu.modeName((int) v);
        }
        return Long.toString(v);
    }

    /** A displayed row: a step, plus the values of folded lock steps of its role that followed it. */
    private record Row(int role, String text) { }

    /**
     * Where the invariant breaks, as a step index into {@code e.steps()} and what broke, or null:
     * the step an in-role oracle marked; else, for a use-after-free the judge found at quiescence,
     * the step that freed the frame the violation names (its {@code page->owner} store) while an
     * entry still named it.
     */
    public static java.util.Map.Entry<Integer, String> breakStep(Execution e) {
        for (int i = 0; i < e.steps().size(); i++) {
            if (e.steps().get(i).broken() != null) {
                return java.util.Map.entry(i, e.steps().get(i).broken());
            }
        }
        if (e.verdict() == null || !e.verdict().bad()) {
            return null;
        }
        for (var v : e.verdict().violations()) {
            java.util.regex.Matcher m = FRAME.matcher(v.detail());
            while (m.find()) {
                String free = "page->owner[" + Integer.parseInt(m.group(1), 16) + "], 0)";
                for (int i = 0; i < e.steps().size(); i++) {
                    String a = e.steps().get(i).access();
                    if (a != null && a.contains(free)) {
                        return java.util.Map.entry(i, "frees pfn 0x" + m.group(1) + " while it is still named: " + v);
                    }
                }
            }
        }
        return null;
    }

    private static final java.util.regex.Pattern FRAME = java.util.regex.Pattern.compile("pfn 0x([0-9a-f]+) gen");

    /** How many rows {@link #render} prints for {@code e}: its steps less the folded lock steps. */
    public static int rows(Execution e, boolean allSteps) {
        return allSteps ? e.steps().size() : (int) e.steps().stream().filter(s -> !isLockStep(s)).count();
    }

    public static String render(Execution e, boolean allSteps) {
        List<String> roles = e.roles();
        List<Row> rows = new ArrayList<>();
        int[] lastRow = new int[roles.size()];
        java.util.Arrays.fill(lastRow, -1);
        List<List<Step.Observation>> extra = new ArrayList<>();
        var broke = breakStep(e);
        for (Step s : e.steps()) {
            if (!allSteps && isLockStep(s)) {
                if (lastRow[s.role()] >= 0) {
                    extra.get(lastRow[s.role()]).addAll(s.observations());
                }
                continue;
            }
            lastRow[s.role()] = rows.size();
            boolean here = broke != null && e.steps().get(broke.getKey()) == s;
            rows.add(new Row(s.role(), text(s) + (here ? "   <== invariant breaks here: " + broke.getValue() : "")));
            extra.add(new ArrayList<>(s.observations()));
        }
        List<Row> shown = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            shown.add(new Row(rows.get(i).role(), text(rows.get(i).text(), extra.get(i))));
        }
        int[] width = new int[roles.size()];
        for (int r = 0; r < roles.size(); r++) {
            width[r] = roles.get(r).length();
        }
        for (Row s : shown) {
            width[s.role()] = Math.min(MAX_COLUMN, Math.max(width[s.role()], s.text().length()));
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("%4s  ", "#"));
        for (int r = 0; r < roles.size(); r++) {
            boolean lastCol = r == roles.size() - 1;
            out.append(lastCol ? roles.get(r) : pad(roles.get(r), width[r]) + " | ");
        }
        out.append('\n');
        int n = 0;
        for (Row s : shown) {
            out.append(String.format("%4d  ", ++n));
            for (int r = 0; r < s.role(); r++) {
                out.append(pad("", width[r])).append(" | ");
            }
            out.append(s.text()).append('\n');
        }
        return out.toString();
    }

    private static String pad(String s, int w) {
        if (s.length() >= w) {
            return s;
        }
        return s + " ".repeat(w - s.length());
    }
}
