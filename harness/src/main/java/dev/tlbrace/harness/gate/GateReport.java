package dev.tlbrace.harness.gate;

import com.google.common.xml.XmlEscapers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The verdict table for the terminal and JUnit XML for CI systems. Once the explorer grades,
 * the table has a column per engine before the row's VERDICT (jcstress alone keeps the table it
 * always had), and each JUnit testcase has a property per engine.
 */
public final class GateReport {
    private GateReport() { }

    public static void printTable(Grader.Verdict v, PrintWriter out) {
        boolean hw = v.engines().contains(Engine.JCSTRESS);
        boolean columns = v.engines().contains(Engine.EXPLORER);
        StringBuilder head = new StringBuilder(String.format("%-25s %-28s %-17s %-10s", "SCENARIO", "VARIANT", "FORM", "EXPECT"));
        if (hw) {
            head.append(String.format(" %12s %8s", "SAMPLES", "BAD"));
        }
        if (columns) {
            for (Engine e : v.engines()) {
                head.append(String.format("  %-" + width(e) + "s", e.name()));
            }
        }
        out.println(head.append("  VERDICT"));
        for (Grader.Row r : v.rows()) {
            StressTest t = r.test();
            StringBuilder row = new StringBuilder(String.format("%-25s %-28s %-17s %-10s", t.scenario().id(), t.variant().id(),
                    t.form(), t.expectation().label()));
            if (hw) {
                row.append(String.format(" %12s %8s", String.format("%,d", r.samples()), String.format("%,d", r.bad())));
            }
            if (columns) {
                for (Engine e : v.engines()) {
                    Grader.Cell c = r.cell(e);
                    row.append(String.format("  %-" + width(e) + "s", c == null ? "-" : c.label()));
                }
            }
            out.println(row.append("  ").append(r.grade()));
        }
        boolean header = false;
        for (Grader.Row r : v.rows()) {
            if (notable(r)) {
                if (!header) {
                    out.println();
                    header = true;
                }
                out.printf("%s %s: %s%n", r.grade(), r.test().id(), columns ? cellsText(r) : r.detail());
            }
        }
        out.println();
        if (v.engines().contains(Engine.EXPLORER)) {
            out.println(ExplorerEngine.bounds());
        }
        if (!v.anyRan()) {
            out.println("no test ran: the gate does not pass an empty run");
        }
        out.println(v.summary());
    }

    private static int width(Engine e) {
        return e == Engine.EXPLORER ? 21 : 16;
    }

    /** A row the notes under the table explain: red, skipped, or an engine that could not see it. */
    private static boolean notable(Grader.Row r) {
        return !r.grade().passed() || r.cells().stream().anyMatch(c -> !c.grade().passed());
    }

    /** Every engine's word on a row, {@code engine GRADE: detail} joined by {@code ; }. */
    private static String cellsText(Grader.Row r) {
        return r.cells().stream().map(c -> c.engine().id() + " " + c.label() + ": " + c.detail())
                .collect(Collectors.joining("; "));
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
            w.write("  <properties>\n");
            w.write("    <property name=\"engines\" value=\"" + attr(Engine.format(v.engines())) + "\"/>\n");
            if (v.engines().contains(Engine.EXPLORER)) {
                w.write("    <property name=\"explorer.bounds\" value=\"" + attr(ExplorerEngine.bounds()) + "\"/>\n");
            }
            w.write("  </properties>\n");
            for (Grader.Row r : v.rows()) {
                StressTest t = r.test();
                w.write(String.format("  <testcase classname=\"%s\" name=\"%s\">%n", attr(t.scenario().id()),
                        attr(t.variant().id() + (t.required() ? "" : " [" + t.form() + "]"))));
                // one property per engine: the columns of the table
                w.write("    <properties>\n");
                for (Grader.Cell c : r.cells()) {
                    w.write("      <property name=\"" + c.engine().id() + "\" value=\"" + attr(c.label() + ": " + c.detail())
                            + "\"/>\n");
                }
                w.write("    </properties>\n");
                String msg = attr(r.grade() + ": " + r.detail());
                if (r.grade() == Grade.ERROR) {
                    w.write("    <error message=\"" + msg + "\"/>\n");
                } else if (r.grade().failed()) {
                    w.write("    <failure message=\"" + msg + "\">" + text(t.name()) + "</failure>\n");
                } else if (r.grade().skipped()) {
                    w.write("    <skipped message=\"" + msg + "\"/>\n");
                }
                String lines = r.cells().stream().map(c -> c.engine().id() + " " + c.label() + " " + t.name() + ": " + c.detail())
                        .collect(Collectors.joining("\n"));
                w.write("    <system-out>" + text(lines) + "</system-out>\n");
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
