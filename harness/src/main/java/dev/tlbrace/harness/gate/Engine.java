package dev.tlbrace.harness.gate;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Who grades a test: the hardware through jcstress, or the model through the explorer. */
public enum Engine {
    /** Real threads on this machine's CPUs, in forked JVMs: what the hardware shows. */
    JCSTRESS,
    /** The deterministic explorer over the scenario's model: what the memory model allows. */
    EXPLORER;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every engine: what {@code --engines} selects by default. */
    public static Set<Engine> all() {
        return EnumSet.allOf(Engine.class);
    }

    /** {@code jcstress,explorer} (any order, no repeats); anything else is bad input naming the valid ones. */
    public static Set<Engine> parse(String csv) {
        Set<Engine> out = EnumSet.noneOf(Engine.class);
        for (String part : csv.split(",", -1)) {
            String id = part.trim();
            Engine e = Arrays.stream(values()).filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow(() -> new GateInputException("unknown engine '" + id + "' in --engines " + csv
                            + "; valid: " + Arrays.stream(values()).map(Engine::id).collect(Collectors.joining(", "))));
            if (!out.add(e)) {
                throw new GateInputException("engine '" + id + "' named twice in --engines " + csv);
            }
        }
        return out;
    }

    /** {@code jcstress,explorer}: the form {@link #parse} reads and the run manifest records. */
    public static String format(Set<Engine> engines) {
        return engines.stream().map(Engine::id).collect(Collectors.joining(","));
    }
}
