package dev.tlbrace.harness.graph;

import dev.tlbrace.harness.litmus.LitmusAst;
import dev.tlbrace.harness.litmus.LitmusCheck;
import dev.tlbrace.harness.litmus.LitmusReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The measurement behind scripts/armv8-inclusion.sh: for every litmus file, armv8's final
 * states must be a subset of lkmm's wherever lkmm finds no data race (the kernel's model has
 * to allow whatever arm64 hardware does with the code arm64's compiler makes). Prints each
 * file where that fails, with the states only armv8 reaches, and the counts; and the files
 * where armv8 says Never and lkmm Sometimes (what lkmm allows that arm64 cannot do).
 *
 * <p>usage: {@code Armv8Inclusion [--timeout SECONDS] FILE_OR_DIR...}; exit 1 when inclusion
 * fails somewhere.
 */
public final class Armv8Inclusion {
    private Armv8Inclusion() {
    }

    record Both(LitmusCheck.Outcome lkmm, LitmusCheck.Outcome armv8) {
    }

    public static void main(String[] args) throws Exception {
        long timeout = 120;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--timeout")) {
                timeout = Long.parseLong(args[++i]);
                continue;
            }
            Path p = Path.of(args[i]);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".litmus") && Files.isRegularFile(f)).sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        int compared = 0;
        int included = 0;
        int equal = 0;
        int raced = 0;
        int errors = 0;
        int timeouts = 0;
        int neverVsSometimes = 0;
        List<String> failures = new ArrayList<>();
        // synchronize_rcu/srcu's grace-period guarantee is not in Armv8 yet (extra ob edges to come)
        List<String> gpFailures = new ArrayList<>();
        List<String> neverExamples = new ArrayList<>();
        ExecutorService pool = daemonPool();
        for (Path f : files) {
            LitmusAst.Test test;
            try {
                test = LitmusReader.read(f.toString(), Files.readString(f, StandardCharsets.UTF_8));
            } catch (Exception | StackOverflowError e) {
                errors++;
                System.out.println("ERROR " + f + ": " + e.getMessage());
                continue;
            }
            Future<Both> job = pool.submit(() -> new Both(LitmusCheck.run(test, MemoryModels.interruptible(new Lkmm()), true),
                    LitmusCheck.run(test, MemoryModels.interruptible(new Armv8()), true)));
            Both b;
            try {
                b = job.get(timeout, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                job.cancel(true);
                pool.shutdownNow();
                pool = daemonPool();
                timeouts++;
                System.out.println("TIMEOUT " + f);
                continue;
            } catch (Exception e) {
                errors++;
                Throwable c = e.getCause() == null ? e : e.getCause();
                System.out.println("ERROR " + f + ": " + c.getClass().getSimpleName() + " " + c.getMessage());
                continue;
            }
            if (b.lkmm().dataRace()) {
                raced++;
                continue;
            }
            compared++;
            Set<String> extra = new TreeSet<>(b.armv8().finalStates());
            extra.removeAll(b.lkmm().finalStates());
            if (extra.isEmpty()) {
                included++;
                if (b.armv8().finalStates().equals(b.lkmm().finalStates())) {
                    equal++;
                }
            } else if (gracePeriod(f)) {
                gpFailures.add(f + " (lkmm " + b.lkmm().observed() + ", armv8 " + b.armv8().observed() + "): only armv8 "
                        + extra);
            } else {
                failures.add(f + " (lkmm " + b.lkmm().observed() + ", armv8 " + b.armv8().observed() + "): only armv8 "
                        + extra);
            }
            if (b.armv8().observed().equals("Never") && b.lkmm().observed().equals("Sometimes")) {
                neverVsSometimes++;
                if (neverExamples.size() < 5) {
                    neverExamples.add(f.toString());
                }
            }
        }
        pool.shutdownNow();
        for (String s : failures) {
            System.out.println("NOT INCLUDED " + s);
        }
        for (String s : gpFailures) {
            System.out.println("NOT INCLUDED (grace period, not modelled yet) " + s);
        }
        for (String s : neverExamples) {
            System.out.println("armv8 Never, lkmm Sometimes, e.g. " + s);
        }
        System.out.printf("%d files: %d compared (no data race under lkmm), %d with a data race under lkmm, %d errors,"
                + " %d timeouts (%d s)%n", files.size(), compared, raced, errors, timeouts, timeout);
        System.out.printf("armv8 states within lkmm's: %d of %d (%d equal, %d fewer); not included: %d%n", included,
                compared, equal, included - equal, failures.size() + gpFailures.size());
        System.out.printf("  of which with synchronize_rcu/srcu (grace period not modelled yet): %d%n", gpFailures.size());
        System.out.printf("armv8 Never where lkmm Sometimes: %d%n", neverVsSometimes);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** Does the file wait for a grace period (synchronize_rcu / synchronize_srcu and their variants, C or LISA)? */
    static boolean gracePeriod(Path f) throws java.io.IOException {
        // C: synchronize_rcu() and kin; LISA: f[sync], f[sync-rcu], f[sync-srcu], f[synchronize_rcu]
        return Files.readString(f, StandardCharsets.UTF_8)
                .matches("(?s).*(\\bsynchronize_(rcu|srcu|sched)\\w*\\s*\\(|f\\[\\s*(sync[\\w-]*|synchronize_\\w+)\\s*\\]).*");
    }

    private static ExecutorService daemonPool() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "armv8-inclusion");
            t.setDaemon(true);
            return t;
        });
    }
}
