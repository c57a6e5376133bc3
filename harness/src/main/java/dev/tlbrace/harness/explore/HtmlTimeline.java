package dev.tlbrace.harness.explore;

import com.google.common.html.HtmlEscapers;
import java.util.List;

/**
 * One self-contained HTML page (inline CSS, no script, no network) for a counterexample: a
 * swimlane per role, the steps in order, the steps around each preemption highlighted, the
 * step where an in-role oracle saw the invariant break marked (or, for a break only the judge
 * sees, a last row at quiescence), the outcome and the schedule string on top.
 */
public final class HtmlTimeline {
    private HtmlTimeline() { }

    public static String render(String title, Execution e, List<Decision> decisions, String schedule) {
        List<String> roles = e.roles();
        boolean[] preempt = new boolean[e.steps().size()];
        for (int i = 0; i < preempt.length; i++) {
            preempt[i] = e.steps().get(i).preemption();
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body{font:13px/1.35 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}\n")
                .append("h1{font-size:18px;margin:0 0 4px}.meta{color:#57606a;margin-bottom:12px}\n")
                .append(".outcome{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:600;margin:6px 0 14px}\n")
                .append(".bad{background:#ffebe9;color:#a40e26;border:1px solid #ff8182}.good{background:#dafbe1;color:#116329;border:1px solid #4ac26b}\n")
                .append("table{border-collapse:collapse;width:100%;table-layout:fixed}\n")
                .append("th{position:sticky;top:0;background:#f6f8fa;border-bottom:2px solid #d0d7de;padding:6px;text-align:left}\n")
                .append("td{vertical-align:top;padding:2px 6px;border-left:1px solid #eaeef2}.n{width:3em;color:#8c959f;text-align:right;border:none}\n")
                .append(".s{font-family:ui-monospace,monospace;font-size:12px;background:#ddf4ff;border:1px solid #54aeff;border-radius:4px;padding:2px 6px;white-space:pre-wrap;word-break:break-word}\n")
                .append(".s.lock{background:#f6f8fa;border-color:#d0d7de;color:#57606a}\n")
                .append(".s.racy{background:#fff8c5;border-color:#d4a72c;font-weight:600}\n")
                .append(".s.stale{background:#ffebe9;border-color:#cf222e;font-weight:600}\n")
                .append(".v{color:#57606a;font-weight:400}.sched{font-family:ui-monospace,monospace;word-break:break-all}\n")
                .append("tr.pre td{border-top:2px dashed #d4a72c}\n")
                .append(".s.broken{background:#cf222e;border-color:#82071e;color:#fff;font-weight:600}.s.broken .v{color:#ffd8d3}\n")
                .append(".why{font-family:ui-monospace,monospace;font-size:12px;color:#a40e26;font-weight:600;padding:2px 6px}\n")
                .append("</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        if (e.verdict() != null) {
            h.append("<div class=\"outcome ").append(e.verdict().bad() ? "bad" : "good").append("\">")
                    .append(esc(e.verdict().outcome())).append("</div>\n");
            e.verdict().violations().forEach(v -> h.append("<div>").append(esc(v.toString())).append("</div>\n"));
            h.append("<div class=\"meta\">").append(esc(e.verdict().detail())).append("</div>\n");
        } else {
            h.append("<div class=\"outcome bad\">").append(esc(e.status().name())).append("</div>\n");
        }
        h.append("<div class=\"meta\">schedule <span class=\"sched\">").append(esc(schedule))
                .append("</span> &middot; dashed line: a preemption; yellow: the steps on either side of it; red: a load that read a stale store;"
                        + " solid red: the step where the invariant breaks</div>\n");
        h.append("<table><thead><tr><th class=\"n\">#</th>");
        for (String r : roles) {
            h.append("<th>").append(esc(r)).append("</th>");
        }
        h.append("</tr></thead><tbody>\n");
        var broke = Timeline.breakStep(e);
        for (int i = 0; i < e.steps().size(); i++) {
            Step s = e.steps().get(i);
            boolean racy = preempt[i] || (i + 1 < preempt.length && preempt[i + 1]);
            h.append(preempt[i] ? "<tr class=\"pre\">" : "<tr>").append("<td class=\"n\">").append(s.index()).append("</td>");
            for (int r = 0; r < roles.size(); r++) {
                h.append("<td>");
                if (r == s.role()) {
                    boolean here = broke != null && broke.getKey() == i;
                    String cls = here ? "s broken" : s.stale() ? "s stale" : racy ? "s racy"
                            : Timeline.isLockStep(s) ? "s lock" : "s";
                    h.append("<div class=\"").append(cls).append("\">").append(esc(Timeline.text(s)));
                    for (Step.Observation o : s.observations()) {
                        h.append(" <span class=\"v\">").append(esc(o.what() + " " + Timeline.format(o.what(), o.value())))
                                .append("</span>");
                    }
                    h.append("</div>");
                    if (here) {
                        h.append("<div class=\"why\">invariant breaks here: ").append(esc(broke.getValue())).append("</div>");
                    }
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        if (e.verdict() != null && e.verdict().bad() && broke == null) {
            h.append("<tr class=\"pre\"><td class=\"n\"></td><td colspan=\"").append(roles.size())
                    .append("\"><div class=\"s broken\">judge, at quiescence: the invariant is broken</div>");
            e.verdict().violations().forEach(v -> h.append("<div class=\"why\">").append(esc(v.toString())).append("</div>"));
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table>\n</body></html>\n");
        return h.toString();
    }

    private static String esc(String s) {
        return HtmlEscapers.htmlEscaper().escape(s);
    }
}
