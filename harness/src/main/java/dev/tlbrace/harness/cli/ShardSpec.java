package dev.tlbrace.harness.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code --shard I/N} argument, as {@code hunt} and {@code explore} take it: part I (1-based) of N. */
record ShardSpec(int index, int count) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,4})/(\\d{1,4})");

    /** Parses {@code spec}; bad input (not I/N, or I outside 1..N) is a one-line error. */
    static ShardSpec parse(String spec) {
        Matcher m = FORM.matcher(spec);
        if (!m.matches()) {
            throw new BadInputException("--shard takes I/N, e.g. 2/4; got '" + spec + "'");
        }
        int i = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        if (n < 1 || i < 1 || i > n) {
            throw new BadInputException("--shard " + spec + ": need 1 <= I <= N");
        }
        return new ShardSpec(i, n);
    }
}
