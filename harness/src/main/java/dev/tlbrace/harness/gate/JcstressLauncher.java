package dev.tlbrace.harness.gate;

import java.lang.reflect.Field;
import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

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
 */
public final class JcstressLauncher {
    private JcstressLauncher() { }

    /** The jcstress 0.16 field the pin clears; {@link #pinnable()} checks it is still there. */
    static final String FIELD = "BIASED_LOCKING_AVAILABLE";

    public static void main(String[] args) throws Exception {
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
        new JCStress(opts).run();
    }

    /** Whether this jcstress has the probe result the pin clears. */
    static boolean pinnable() {
        return field() != null;
    }

    private static Field field() {
        try {
            Field f = Class.forName("org.openjdk.jcstress.vm.VMSupport").getDeclaredField(FIELD);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
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
