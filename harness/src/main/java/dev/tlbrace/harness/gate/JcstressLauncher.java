package dev.tlbrace.harness.gate;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.TestExecutor;
import org.openjdk.jcstress.infra.collectors.DiskWriteCollector;
import org.openjdk.jcstress.infra.collectors.MuxCollector;
import org.openjdk.jcstress.infra.collectors.SerializedBufferCollector;
import org.openjdk.jcstress.infra.collectors.TestResultCollector;
import org.openjdk.jcstress.infra.grading.ConsoleReportPrinter;
import org.openjdk.jcstress.infra.runners.TestConfig;
import org.openjdk.jcstress.os.OSSupport;
import org.openjdk.jcstress.os.Scheduler;
import org.openjdk.jcstress.os.topology.Topology;
import org.openjdk.jcstress.vm.VMSupport;

/**
 * jcstress's {@code Main}, held to its own word on {@code -jvmArgs}: "This disables JVM flags
 * auto-detection, and runs only the single JVM mode" (its {@code -h}).
 *
 * <p>jcstress 0.16 does not: {@code VMSupport.initFlags} probes {@code -XX:+UseBiasedLocking}
 * (VMSupport.java line 111, {@code BIASED_LOCKING_AVAILABLE = detect(...)}) and, where the JVM
 * takes it (JDK 8 to 17; JDK 18 removed the flag), {@code detectAvailableVMConfigs} replaces every
 * configuration, the single {@code -jvmArgs} one included, by a {@code -XX:+UseBiasedLocking} and
 * a {@code -XX:-UseBiasedLocking} copy (lines 328-334, "Mix in locking arguments"). On JDK 17 that
 * is two JVMs per test and fork. No option turns it off, so when {@code -jvmArgs} is given this
 * launcher clears that one probe result after the probe and before the configurations are built:
 * one configuration, the JVM's own default (biased locking is off by default since JDK 15).
 * Without {@code -jvmArgs} (the {@code quick}, {@code default} and {@code tough} modes) jcstress
 * runs every configuration it chooses, the pairs included.
 *
 * <p>{@code --times NAME=MS,...} (first, before jcstress's own options) gives the named tests a
 * {@code -time} of their own in this one run. jcstress has one {@code -time} per run, and every
 * run starts by probing the JVM (~20 JVMs; ~7 s a run with its report here), so a second run for a second time costs that
 * again: {@link PerTestTimes} is jcstress 0.16's {@code JCStress.run()} with each planned test's
 * time set between planning and running.
 */
public final class JcstressLauncher {
    private JcstressLauncher() { }

    /** The jcstress 0.16 field the pin clears; {@link #pinnable()} checks it is still there. */
    static final String FIELD = "BIASED_LOCKING_AVAILABLE";

    /** The launcher's own option: per-test times, before jcstress's options. */
    public static final String TIMES = "--times";

    public static void main(String[] args) throws Exception {
        Map<String, Integer> times = Map.of();
        if (args.length >= 2 && args[0].equals(TIMES)) {
            times = parseTimes(args[1]);
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        Options opts = new Options(args) {
            /** Read by {@code JCStress.run()} after {@code initFlags} and before the configurations are built. */
            @Override
            public java.util.List<String> getJvmArgsPrepend() {
                if (!getJvmArgs().isEmpty()) {
                    pinOneConfiguration();
                }
                return super.getJvmArgsPrepend();
            }
        };
        if (!opts.parse()) {
            System.exit(1);
        }
        (times.isEmpty() ? new JCStress(opts) : new PerTestTimes(opts, times)).run();
    }

    /** {@code NAME=MS,NAME=MS}: a test's jcstress name and its {@code -time} in ms. */
    static Map<String, Integer> parseTimes(String spec) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String item : spec.split(",", -1)) {
            int eq = item.lastIndexOf('=');
            int ms;
            try {
                ms = eq > 0 ? Integer.parseInt(item.substring(eq + 1)) : -1;
            } catch (NumberFormatException e) {
                ms = -1;
            }
            if (ms <= 0 || eq == 0) {
                throw new IllegalArgumentException(TIMES + " takes NAME=MS,... with MS > 0; got '" + item + "'");
            }
            out.put(item.substring(0, eq), ms);
        }
        return out;
    }

    /** Sets each planned test's {@code -time} from {@code times}; every named test must be planned. */
    static void retime(List<TestConfig> configs, Map<String, Integer> times) {
        Field time = declared(TestConfig.class, "time");
        Set<String> planned = new java.util.HashSet<>();
        try {
            for (TestConfig c : configs) {
                Integer ms = times.get(c.name);
                if (ms != null) {
                    time.setInt(c, ms);
                }
                planned.add(c.name);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        for (String name : times.keySet()) {
            if (!planned.contains(name)) {
                throw new IllegalArgumentException(TIMES + " names " + name + ", which this run does not plan");
            }
        }
    }

    /** Whether this jcstress has what {@link PerTestTimes} calls. */
    static boolean perTestTimesSupported() {
        try {
            declared(TestConfig.class, "time");
            PerTestTimes.method("computeSchedulingClasses", SortedSet.class, Scheduler.class);
            PerTestTimes.method("prepareRunProgram", Map.class, Set.class);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static Field declared(Class<?> c, String name) {
        try {
            Field f = c.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("tlbrace: this jcstress has no " + c.getSimpleName() + "." + name
                    + " (tlbrace reaches into jcstress 0.16)", e);
        }
    }

    /**
     * {@code JCStress.run()} of jcstress 0.16, step for step, but for {@link #retime} between
     * {@code prepareRunProgram} (which gives every test the run's {@code -time}) and
     * {@code TestExecutor.runAll}, which sends each test its time when its JVM asks for the job.
     */
    static final class PerTestTimes extends JCStress {
        private final Options options;
        private final Map<String, Integer> times;

        PerTestTimes(Options options, Map<String, Integer> times) {
            super(options);
            this.options = options;
            this.times = times;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void run() throws Exception {
            PrintStream out = System.out;
            OSSupport.init();
            VMSupport.initFlags(options);
            VMSupport.detectAvailableVMConfigs(options.isSplitCompilation(), options.getJvmArgs(), options.getJvmArgsPrepend());
            if (VMSupport.getAvailableVMConfigs().isEmpty()) {
                out.println("FATAL: No JVM configurations to run with.");
                return;
            }
            SortedSet<String> tests = getTests();
            Topology topology = Topology.get();
            out.println("Detecting CPU topology and computing scheduling classes:");
            topology.printStatus(out);
            out.println();
            out.println("  Scheduling classes for matching tests:");
            Scheduler scheduler = new Scheduler(topology, options.getCPUCount());
            Object classes = method("computeSchedulingClasses", SortedSet.class, Scheduler.class).invoke(this, tests, scheduler);
            List<TestConfig> configs = (List<TestConfig>) method("prepareRunProgram", Map.class, Set.class)
                    .invoke(this, classes, tests);
            options.printSettingsOn(out);
            if (configs.isEmpty()) {
                out.println("FATAL: No matching tests.");
                return;
            }
            retime(configs, times);
            out.println("tlbrace: " + times.size() + " of the " + configs.size() + " test runs have their own -time ("
                    + TIMES + "), the rest " + options.getTime() + " ms");
            ConsoleReportPrinter printer = new ConsoleReportPrinter(options, new PrintWriter(out, true), configs.size());
            DiskWriteCollector disk = new DiskWriteCollector(options.getResultFile());
            TestResultCollector mux = MuxCollector.of(printer, disk);
            SerializedBufferCollector sink = new SerializedBufferCollector(mux);
            TestExecutor executor = new TestExecutor(options.verbosity(), sink, scheduler);
            printer.setExecutor(executor);
            executor.runAll(configs);
            sink.close();
            disk.close();
            printer.printFinishLine();
            out.println();
            out.println();
            parseResults();
        }

        static Method method(String name, Class<?>... params) {
            try {
                Method m = JCStress.class.getDeclaredMethod(name, params);
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("tlbrace: this jcstress has no JCStress." + name
                        + " (per-test times need jcstress 0.16)", e);
            }
        }
    }

    /** Whether this jcstress has the probe result the pin clears. */
    static boolean pinnable() {
        return field() != null;
    }

    private static Field field() {
        try {
            return declared(VMSupport.class, FIELD);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static void pinOneConfiguration() {
        Field f = field();
        if (f == null) {
            System.out.println("tlbrace: cannot pin one JVM configuration in this jcstress (no VMSupport." + FIELD
                    + "); it may run each test more than once");
            return;
        }
        try {
            if (f.getBoolean(null)) {
                f.setBoolean(null, false);
                System.out.println("tlbrace: -jvmArgs given: one JVM configuration per test "
                        + "(the -XX:+/-UseBiasedLocking pair jcstress would add is dropped)");
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
