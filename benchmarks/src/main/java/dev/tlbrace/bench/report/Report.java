package dev.tlbrace.bench.report;

import dev.tlbrace.bench.report.Rows.Row;
import dev.tlbrace.bench.report.Rows.Samples;
import dev.tlbrace.bench.report.Stats.Interval;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tables of docs/benchmarks.md, computed from one run's JMH results: every rate with its
 * interval, every ratio with its interval ("no difference measured" when it holds 1.0), and
 * for every paced comparison the rate the paced thread achieved and its spread across peers.
 * Sections whose benchmarks the run did not include are left out.
 */
public final class Report {
    /** A ratio the report quotes; {@code headline} ones are compared across runs. */
    public record Quoted(String key, String text, Interval interval, boolean headline) { }

    /** Paced rates of peers in one comparison may differ by at most this much. */
    public static final double EQUAL_LOAD = 0.10;

    private final Rows rows;
    private final StringBuilder md = new StringBuilder();
    private final List<Quoted> quoted = new ArrayList<>();
    private final List<String> unequal = new ArrayList<>();

    public Report(Rows rows) {
        this.rows = rows;
        invalidation();
        readers();
        smmu();
        apic();
        explorer();
    }

    public String markdown() {
        return md.toString();
    }

    public List<Quoted> quoted() {
        return quoted;
    }

    /** Paced comparisons whose achieved rates differ by more than {@link #EQUAL_LOAD}. */
    public List<String> unequalLoads() {
        return unequal;
    }

    // ---- family 1 ----

    private void invalidation() {
        List<Row> alone = rows.select("InvalidationBenchmark.invalidate", Map.of());
        if (!alone.isEmpty()) {
            List<String> subs = values(alone, "subscribers");
            List<String> others = subs.stream().filter(s -> !s.equals("0")).toList();
            md.append("### 1. Invalidation throughput (cycles/s), ratio to 0 subscribers\n\n");
            header(concat(List.of("op", "pages", "0 subs"), others.stream().map(s -> s + (s.equals("1") ? " sub" : " subs")).toList()));
            for (String op : values(alone, "op")) {
                for (String pages : values(alone, "pages")) {
                    Row base = rows.find("InvalidationBenchmark.invalidate", Map.of("op", op, "pages", pages, "subscribers", "0"), 1);
                    if (base == null) {
                        continue;
                    }
                    List<String> cells = new ArrayList<>(List.of(op, pages, rate(base.metric(""))));
                    for (String s : others) {
                        Row r = rows.find("InvalidationBenchmark.invalidate", Map.of("op", op, "pages", pages, "subscribers", s), 1);
                        cells.add(r == null ? "" : ratio("inv." + op + "." + pages + ".subs" + s,
                                op + " of " + pages + " page(s), " + s + " subscriber(s) vs none", r.metric(""), base.metric(""),
                                op.equals("UNMAP") && (pages.equals("1") || pages.equals("512")) || op.equals("MIGRATE") && pages.equals("1")));
                    }
                    row(cells);
                }
            }
            md.append('\n');
        }
        List<Row> readers = rows.select("InvalidationBenchmark.invalidate_vs_readers", Map.of()).stream()
                .filter(r -> r.threads() == 2 && !r.param("invalidatePeriodNs").equals("0")).toList();
        if (!readers.isEmpty()) {
            Row any = readers.get(0);
            md.append("With a vCPU faulting through KVM's retry protocol while the invalidator runs ").append(any.param("op"))
                    .append(" of ").append(any.param("pages")).append(" pages, paced at one cycle per ")
                    .append(micros(any.param("invalidatePeriodNs"))).append(" (2 threads):\n\n");
            header(List.of("subscribers", "invalidator cycles/s (paced)", "vCPU faults/s", "vs 0 subs", "retries per fault"));
            Row base = withParam(readers, "subscribers", "0");
            List<Samples> paced = new ArrayList<>();
            for (Row r : sortedBy(readers, "subscribers")) {
                String k = "invr." + r.param("subscribers");
                paced.add(r.metric("invalidator"));
                row(List.of(r.param("subscribers"), rate(r.metric("invalidator")), rate(r.metric("vcpuFault")),
                        base == null || r == base ? "1.00x" : ratio(k, "vCPU faults/s, " + r.param("subscribers")
                                + " subscriber(s) vs none, paced invalidator", r.metric("vcpuFault"), base.metric("vcpuFault"), false),
                        fixed(r.metric("faultRetries").mean() / r.metric("vcpuFault").mean(), 3)));
            }
            spread("invalidator cycles/s across subscriber counts", paced);
        }
    }

    // ---- family 2 ----

    private void readers() {
        List<Row> rw = rows.select("RetryReadBenchmark.read_vs_write", Map.of()).stream().filter(r -> r.threads() == 2).toList();
        if (!rw.isEmpty()) {
            md.append("### 2. Reader side under a paced writer (ops/us; 1 reader + 1 writer)\n\n");
            for (String period : values(rw, "writePeriodNs")) {
                if (period.equals("0")) {
                    continue; // flat out: the peers face different loads, not a comparison
                }
                String load = "one write per " + micros(period);
                md.append("Writer paced at ").append(load).append(":\n\n");
                header(List.of("peer", "reads/us", "retries per read", "writes/us (paced)", "reads vs StampedLock", "reads vs unsynchronized"));
                Row stamped = rows.find("RetryReadBenchmark.read_vs_write", Map.of("peer", "STAMPED_OPTIMISTIC", "writePeriodNs", period), 2);
                Row floor = rows.find("RetryReadBenchmark.read_vs_write", Map.of("peer", "UNSYNCHRONIZED", "writePeriodNs", period), 2);
                List<Samples> writers = new ArrayList<>();
                for (Row r : rw) {
                    if (!r.param("writePeriodNs").equals(period) || r.threads() != 2) {
                        continue;
                    }
                    String peer = r.param("peer");
                    String k = "read." + period + "." + peer;
                    writers.add(r.metric("writer"));
                    row(List.of(peer, rate(r.metric("reads")), fixed(r.metric("retries").mean() / r.metric("reads").mean(), 2),
                            fixed(r.metric("writer").mean(), 3),
                            stamped == null ? "" : r == stamped ? "1.00x" : ratio(k + ".vsStamped", peer + " reads vs StampedLock, " + load,
                                    r.metric("reads"), stamped.metric("reads"), peer.equals("SEQ_RETRY") || peer.equals("RW_LOCK") && period.equals("1000")),
                            floor == null ? "" : r == floor ? "1.00x" : ratio(k + ".vsFloor", peer + " reads vs unsynchronized, " + load,
                                    r.metric("reads"), floor.metric("reads"), false)));
                }
                spread("writes/us across peers", writers);
            }
        }
        List<Row> alone = rows.select("RetryReadBenchmark.reader_alone", Map.of()).stream().filter(r -> r.threads() == 1).toList();
        if (!alone.isEmpty()) {
            md.append("No writer (each peer's uncontended read):\n\n");
            header(List.of("peer", "reads/us", "vs StampedLock", "vs unsynchronized"));
            Row stamped = withParam(alone, "peer", "STAMPED_OPTIMISTIC");
            Row floor = withParam(alone, "peer", "UNSYNCHRONIZED");
            for (Row r : alone) {
                String peer = r.param("peer");
                String k = "read.alone." + peer;
                row(List.of(peer, rate(r.metric("reads")),
                        stamped == null ? "" : r == stamped ? "1.00x" : ratio(k + ".vsStamped", peer + " uncontended read vs StampedLock",
                                r.metric("reads"), stamped.metric("reads"), peer.equals("SEQ_RETRY")),
                        floor == null ? "" : r == floor ? "1.00x" : ratio(k + ".vsFloor", peer + " uncontended read vs unsynchronized",
                                r.metric("reads"), floor.metric("reads"), false)));
            }
            md.append('\n');
        }
    }

    // ---- family 3 ----

    private static final String BUG = "no-upgrade-notify";

    private void smmu() {
        List<Row> group = rows.select("SmmuFixCostBenchmark.upgrade_vs_dma", Map.of()).stream()
                .filter(r -> !r.param("upgradePeriodNs").equals("0")).toList();
        if (!group.isEmpty()) {
            md.append("### 3. SMMU fixes: who pays (ops/s; ratios to ").append(BUG).append(")\n\n");
            md.append("A CPU thread write-protects and write-faults a page back, paced at one upgrade per ")
                    .append(micros(group.get(0).param("upgradePeriodNs"))).append(", while the device DMAs flat out:\n\n");
            header(List.of("variant", "upgrades/s (paced)", "DMA done/s", "vs " + BUG, "DMA faults/s", "faults vs " + BUG));
            Row bug = withParam(group, "variant", BUG);
            List<Samples> paced = new ArrayList<>();
            for (Row r : group) {
                String v = r.param("variant");
                String k = "smmu.dma." + v;
                paced.add(r.metric("upgrade"));
                boolean base = r == bug;
                row(List.of(v, rate(r.metric("upgrade")), rate(r.metric("dmaDone")),
                        bug == null ? "" : base ? "1.00x" : ratio(k + ".vsBug", v + ": DMA done vs " + BUG + ", paced upgrades",
                                r.metric("dmaDone"), bug.metric("dmaDone"), true),
                        rate(r.metric("dmaFaults")),
                        bug == null ? "" : base ? "1.00x" : ratio(k + ".faultsVsBug", v + ": DMA faults vs " + BUG,
                                r.metric("dmaFaults"), bug.metric("dmaFaults"), false)));
            }
            spread("upgrades/s across variants", paced);
        }
        List<Row> alone = rows.select("SmmuFixCostBenchmark.upgrade_alone", Map.of());
        if (!alone.isEmpty()) {
            md.append("The upgrade alone, no device (what each fix adds to one write-protect plus write fault):\n\n");
            header(List.of("variant", "upgrades/s", "vs " + BUG));
            Row bug = withParam(alone, "variant", BUG);
            for (Row r : alone) {
                String v = r.param("variant");
                row(List.of(v, rate(r.metric("")), bug == null ? "" : r == bug ? "1.00x"
                        : ratio("smmu.alone." + v + ".vsBug", v + ": uncontended upgrades/s vs " + BUG, r.metric(""), bug.metric(""), true)));
            }
            md.append('\n');
        }
    }

    // ---- family 4 ----

    private static final String RSR = "range-start-request";

    private void apic() {
        List<String> methods = List.of("entry_without_request", "entry_with_reload", "unmap_apic_page_and_reload");
        List<String> present = methods.stream().filter(m -> !rows.select("ApicReloadCostBenchmark." + m, Map.of()).isEmpty()).toList();
        if (!present.isEmpty()) {
            md.append("### 4. APIC variants (ns/op; ratio to ").append(RSR).append(")\n\n");
            List<String> head = new ArrayList<>(List.of("variant"));
            for (String m : present) {
                head.add(m.replace('_', ' ') + " (ns)");
                head.add("vs " + RSR);
            }
            header(head);
            for (String v : values(rows.select("ApicReloadCostBenchmark." + present.get(0), Map.of()), "variant")) {
                List<String> cells = new ArrayList<>(List.of(v));
                for (String m : present) {
                    Row r = rows.select("ApicReloadCostBenchmark." + m, Map.of("variant", v)).stream().findFirst().orElse(null);
                    Row base = rows.select("ApicReloadCostBenchmark." + m, Map.of("variant", RSR)).stream().findFirst().orElse(null);
                    String k = "apic." + m + "." + v;
                    cells.add(r == null ? "" : rate(r.metric("")));
                    cells.add(r == null || base == null ? "" : r == base ? "1.00x" : ratio(k + ".vsRsr", v + ": " + m.replace('_', ' ')
                            + " vs " + RSR, r.metric(""), base.metric(""), m.equals("entry_with_reload") && v.equals("retry-in-progress")));
                }
                row(cells);
            }
            md.append('\n');
        }
        List<Row> group = rows.select("ApicReloadCostBenchmark.unmap_vs_entry", Map.of()).stream()
                .filter(r -> !r.param("unmapPeriodNs").equals("0")).toList();
        if (!group.isEmpty()) {
            md.append("A vCPU entering and exiting flat out while the APIC-access page is unmapped once per ")
                    .append(micros(group.get(0).param("unmapPeriodNs"))).append(" (ops/s):\n\n");
            header(List.of("variant", "unmaps/s (paced)", "entries/s", "vs " + RSR, "cancelled entries/s"));
            Row base = withParam(group, "variant", RSR);
            List<Samples> paced = new ArrayList<>();
            for (Row r : group) {
                String v = r.param("variant");
                String k = "apic.group." + v;
                paced.add(r.metric("invalidator"));
                row(List.of(v, rate(r.metric("invalidator")), rate(r.metric("entered")),
                        base == null ? "" : r == base ? "1.00x" : ratio(k + ".vsRsr", v + ": vCPU entries vs " + RSR + ", paced unmaps",
                                r.metric("entered"), base.metric("entered"), v.equals("retry-in-progress")),
                        rate(r.metric("cancelled"))));
            }
            spread("unmaps/s across variants", paced);
        }
    }

    // ---- the harness ----

    private void explorer() {
        List<Row> ex = rows.select("ExplorerBenchmark.explore", Map.of());
        if (ex.isEmpty()) {
            return;
        }
        md.append("### 5. The explorer's own speed (executions/s, one job)\n\n");
        header(List.of("scenario / variant", "memory model", "executions/s"));
        for (Row r : ex) {
            row(List.of(r.param("target"), r.param("model"), rate(r.metric("executions"))));
        }
        md.append('\n');
    }

    // ---- helpers ----

    private void spread(String what, List<Samples> paced) {
        double min = paced.stream().mapToDouble(Samples::mean).min().orElse(0);
        double max = paced.stream().mapToDouble(Samples::mean).max().orElse(0);
        double spread = min > 0 ? max / min - 1 : Double.POSITIVE_INFINITY;
        md.append('\n').append("Load check: ").append(what).append(" differ by ").append(String.format("%.1f%%", spread * 100));
        if (spread > EQUAL_LOAD) {
            md.append(" (**more than ").append(Math.round(EQUAL_LOAD * 100)).append("%: not an equal-load comparison**)");
            unequal.add(what + ": " + String.format("%.1f%%", spread * 100));
        } else {
            md.append(" (equal within ").append(Math.round(EQUAL_LOAD * 100)).append("%)");
        }
        md.append(".\n\n");
    }

    private String ratio(String key, String text, Samples a, Samples b, boolean headline) {
        Interval iv = Stats.ratio(a, b);
        quoted.add(new Quoted(key, text, iv, headline));
        return formatRatio(iv);
    }

    public static String formatRatio(Interval iv) {
        if (Double.isInfinite(iv.hi())) {
            return String.format("%.2fx (one sample: no interval, no claim)", iv.estimate());
        }
        String range = String.format("%.2f-%.2f", iv.lo(), iv.hi());
        return iv.spansOne() ? "no difference measured (" + range + ")" : String.format("%.2fx (%s)", iv.estimate(), range);
    }

    private static String rate(Samples s) {
        Interval iv = Stats.mean(s);
        if (Double.isInfinite(iv.hi())) {
            return num(iv.estimate()) + " (one sample)";
        }
        double half = (iv.hi() - iv.lo()) / 2;
        return num(iv.estimate()) + " ± " + (iv.estimate() == 0 ? "0" : String.format("%.0f%%", 100 * half / iv.estimate()));
    }

    static String num(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format("%,.0f", v);
        }
        if (a >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.3g", v);
    }

    private static String fixed(double v, int digits) {
        return Double.isNaN(v) ? "-" : String.format("%." + digits + "f", v);
    }

    private static String micros(String ns) {
        double us = Long.parseLong(ns) / 1000.0;
        return (us == Math.rint(us) ? String.valueOf((long) us) : String.valueOf(us)) + " us";
    }

    private void header(List<String> cols) {
        row(cols);
        row(cols.stream().map(c -> "---").toList());
    }

    private void row(List<String> cells) {
        md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** A parameter's values in the order measured, numbers sorted numerically. */
    static List<String> values(List<Row> rs, String param) {
        Set<String> seen = new LinkedHashSet<>();
        rs.forEach(r -> {
            if (r.param(param) != null) {
                seen.add(r.param(param));
            }
        });
        List<String> out = new ArrayList<>(seen);
        if (out.stream().allMatch(s -> s.matches("\\d+"))) {
            out.sort(Comparator.comparingLong(Long::parseLong));
        }
        return out;
    }

    /** The first of {@code rs} whose {@code param} is {@code value}, or null. */
    private static Row withParam(List<Row> rs, String param, String value) {
        return rs.stream().filter(r -> value.equals(r.param(param))).findFirst().orElse(null);
    }

    private static List<Row> sortedBy(List<Row> rs, String numericParam) {
        Map<Long, Row> m = new TreeMap<>();
        rs.forEach(r -> m.put(Long.parseLong(r.param(numericParam)), r));
        return new ArrayList<>(m.values());
    }
}
