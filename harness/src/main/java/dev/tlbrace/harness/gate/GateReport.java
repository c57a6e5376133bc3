package dev.tlbrace.harness.gate;

import com.google.common.xml.XmlEscapers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The verdict table for the terminal and JUnit XML for CI systems. */
public final class GateReport {
    private GateReport() { }

    public static void printTable(Grader.Verdict v, PrintWriter out) {
        String fmt = "%-25s %-28s %-17s %-10s %12s %8s  %s%n";
        out.printf(fmt, "SCENARIO", "VARIANT", "FORM", "EXPECT", "SAMPLES", "BAD", "VERDICT");
        for (Grader.Row r : v.rows()) {
            StressTest t = r.test();
            out.printf(fmt, t.scenario().id(), t.variant().id(), t.form(), t.expectation().label(),
                    String.format("%,d", r.samples()), String.format("%,d", r.bad()), r.grade());
        }
        boolean header = false;
        for (Grader.Row r : v.rows()) {
            if (r.grade().failed() || r.grade().skipped()) {
                if (!header) {
                    out.println();
                    header = true;
                }
                out.printf("%s %s: %s%n", r.grade(), r.test().id(), r.detail());
            }
        }
        out.println();
        if (!v.anyRan()) {
            out.println("no test ran: the gate does not pass an empty run");
        }
        out.println(v.summary());
    }

    public static void writeJunitXml(Grader.Verdict v, Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        long failures = v.rows().stream().filter(r -> r.grade().failed() && r.grade() != Grade.ERROR).count();
        long errors = v.rows().stream().filter(r -> r.grade() == Grade.ERROR).count();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            w.write(String.format("<testsuite name=\"tlbrace.gate\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\">%n",
                    v.rows().size(), failures, errors, v.skipped()));
            for (Grader.Row r : v.rows()) {
                StressTest t = r.test();
                w.write(String.format("  <testcase classname=\"%s\" name=\"%s\">%n", attr(t.scenario().id()),
                        attr(t.variant().id() + (t.required() ? "" : " [" + t.form() + "]"))));
                String msg = attr(r.grade() + ": " + r.detail());
                if (r.grade() == Grade.ERROR) {
                    w.write("    <error message=\"" + msg + "\"/>\n");
                } else if (r.grade().failed()) {
                    w.write("    <failure message=\"" + msg + "\">" + text(t.name()) + "</failure>\n");
                } else if (r.grade().skipped()) {
                    w.write("    <skipped message=\"" + msg + "\"/>\n");
                }
                w.write("    <system-out>" + text(r.grade() + " " + t.name() + ": " + r.detail()) + "</system-out>\n");
                w.write("  </testcase>\n");
            }
            w.write("</testsuite>\n");
        }
    }

    private static String attr(String s) {
        return XmlEscapers.xmlAttributeEscaper().escape(s);
    }

    private static String text(String s) {
        return XmlEscapers.xmlContentEscaper().escape(s);
    }
}
