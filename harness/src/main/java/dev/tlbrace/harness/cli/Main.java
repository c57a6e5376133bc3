package dev.tlbrace.harness.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./tlbrace}: exit 0 good, 1 a race found or the gate failed, 2 bad input.
 */
@Command(name = "tlbrace", mixinStandardHelpOptions = true, version = "tlbrace 0.1.0",
        description = "Race-hunting harness for secondary-TLB coherence protocols (mmu notifiers, KVM, SMMU SVA).",
        subcommands = {ListCommand.class, TimelineCommand.class, HuntCommand.class, GateCommand.class,
            ExploreCommand.class, ReplayCommand.class, SoakCommand.class, FencesCommand.class, LitmusCommand.class})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FOUND = 1;
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; try --help");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("tlbrace: " + ex.getMessage()
                    + " (try: tlbrace " + commandPath(ex.getCommandLine()) + "--help)");
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof BadInputException || ex instanceof IllegalArgumentException
                    || ex instanceof dev.tlbrace.harness.gate.GateInputException) {
                commandLine.getErr().println("tlbrace: " + ex.getMessage());
                return BAD_INPUT;
            }
            commandLine.getErr().println("tlbrace: internal error: " + ex);
            ex.printStackTrace(commandLine.getErr());
            return FOUND;
        });
        return cl.execute(args);
    }

    private static String commandPath(CommandLine cl) {
        StringBuilder sb = new StringBuilder();
        for (CommandLine c = cl; c != null && c.getParent() != null; c = c.getParent()) {
            sb.insert(0, c.getCommandName() + " ");
        }
        return sb.toString();
    }
}
