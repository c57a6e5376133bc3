package dev.tlbrace.harness.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jcstress 0.16 with {@code -jvmArgs}: its own Main runs every test in two JVM configurations
 * on a JDK that still has biased locking (17), the launcher in one. Each run only probes the
 * JVM and builds its configurations, then stops (harness has no test list), about 5 s on 2 idle CPUs.
 */
class JcstressLauncherTest {
    @TempDir
    Path tmp;

    private String probe(String main) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, main, "-jvmArgs", "-XX:+UnlockDiagnosticVMOptions", "-pth", "false", "-t", "^no test$",
                "-r", tmp.resolve("report").toString()));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        // harness holds no jcstress test (no META-INF/TestList): jcstress stops after building its configurations
        assertThat(out).contains("Probing what VM configurations are available:");
        return out;
    }

    private static long configurations(String out) {
        return out.lines().filter(l -> l.startsWith("----- [OK] [")).count();
    }

    @Test
    void withJvmArgsJcstressRunsOneConfigurationThroughTheLauncher() throws Exception {
        String jcstress = probe("org.openjdk.jcstress.Main");
        boolean biased = jcstress.contains("----- [OK] Checking for biased locking support");
        assertThat(configurations(jcstress)).as(jcstress).isEqualTo(biased ? 2 : 1);

        String launcher = probe(JcstressLauncher.class.getName());
        assertThat(configurations(launcher)).as(launcher).isEqualTo(1);
        assertThat(launcher).contains("----- [OK] [-XX:+UnlockDiagnosticVMOptions]").doesNotContain("UseBiasedLocking, ");
        if (biased) {
            assertThat(launcher).contains("tlbrace: -jvmArgs given: one JVM configuration per test");
        }
    }
}
