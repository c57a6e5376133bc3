package dev.tlbrace.harness.gate;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * {@code tlbrace-run.properties}, written by hunt beside jcstress's results: what was selected,
 * on how many CPUs, in which mode. The gate uses it to tell a test that could not run here
 * (SKIPPED) from one that should have run and did not (FAIL_MISSING).
 *
 * @param cpus     CPUs of the machine that ran the shard
 * @param mode     hunt mode
 * @param race     the --race regex, or empty
 * @param selected jcstress names of the selected tests
 * @param engines  the engines that graded them; a manifest from before engines were recorded
 *                 reads as jcstress alone
 */
public record RunManifest(int cpus, String mode, String race, List<String> selected, java.util.Set<Engine> engines) {
    public static final String FILE = "tlbrace-run.properties";

    public RunManifest {
        engines = java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(engines));
    }

    public void write(Path dir) throws IOException {
        Properties p = new Properties();
        p.setProperty("cpus", Integer.toString(cpus));
        p.setProperty("mode", mode);
        p.setProperty("race", race);
        p.setProperty("selected", String.join(",", selected));
        p.setProperty("engines", Engine.format(engines));
        try (Writer w = Files.newBufferedWriter(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.store(w, "tlbrace hunt");
        }
    }

    /** The manifest in {@code dir}, or null if there is none. */
    public static RunManifest read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
            String sel = p.getProperty("selected", "");
            return new RunManifest(Integer.parseInt(p.getProperty("cpus")), p.getProperty("mode", ""),
                    p.getProperty("race", ""), sel.isEmpty() ? List.of() : List.of(sel.split(",")),
                    Engine.parse(p.getProperty("engines", Engine.JCSTRESS.id())));
        } catch (IOException | RuntimeException e) {
            throw new GateInputException("corrupt run manifest " + f + ": " + e.getMessage());
        }
    }
}
