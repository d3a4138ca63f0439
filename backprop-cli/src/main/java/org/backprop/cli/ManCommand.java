package org.backprop.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * Prints a man page (troff, man(7) macros) generated from the picocli command definitions: every
 * command with its description and options, as {@code --help} shows them. picocli-codegen's
 * ManPageGenerator writes AsciiDoc, which needs Asciidoctor (a Ruby tool) to become a page
 * {@code man} can show; troff written here needs nothing.
 */
@Command(name = "man", mixinStandardHelpOptions = true,
        description = {"Print the manual page of backprop and all its commands (troff).",
                "Read it with:  ./backprop man > backprop.1 && man -l backprop.1"})
final class ManCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(page(spec.root().commandLine()));
        out.flush();
        return 0;
    }

    static String page(CommandLine root) {
        CommandSpec r = root.getCommandSpec();
        String version = r.version().length > 0 ? r.version()[0] : "";
        StringBuilder sb = new StringBuilder();
        sb.append(".TH BACKPROP 1 \"\" \"").append(esc(version)).append("\" \"Backprop Manual\"\n");
        sb.append(".SH NAME\nbackprop \\- ").append(esc(String.join(" ", r.usageMessage().description()))).append('\n');
        sb.append(".SH SYNOPSIS\n.B backprop\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n");
        sb.append(".SH DESCRIPTION\nEach command prints its options with \\fB\\-\\-help\\fR; they are listed below.\n");
        sb.append(".SH COMMANDS\n");
        for (var e : root.getSubcommands().entrySet()) {
            CommandSpec c = e.getValue().getCommandSpec();
            if (c.usageMessage().hidden() || e.getKey().equals("help")) continue;
            sb.append(".SS \"backprop ").append(esc(e.getKey())).append("\"\n");
            for (String line : c.usageMessage().description()) sb.append(text(expand(line, null))).append("\n.PP\n");
            for (OptionSpec o : c.options()) {
                if (o.hidden()) continue;
                sb.append(".TP\n").append(optionNames(o)).append('\n');
                List<String> desc = new ArrayList<>();
                for (String d : o.description()) desc.add(expand(d, o));
                sb.append(text(String.join(" ", desc))).append('\n');
            }
        }
        sb.append(".SH EXIT STATUS\n0 on success; 1 when a command fails (a one-line message on standard error names the "
                + "problem; \\fB\\-\\-verbose\\fR adds the stack trace); 2 for an unknown option or a missing value.\n");
        sb.append(".SH SEE ALSO\nREADME.md and docs/ in the source tree; \\fBbackprop completion\\fR for shell completion.\n");
        return sb.toString();
    }

    private static String optionNames(OptionSpec o) {
        List<String> names = new ArrayList<>();
        for (String n : o.names()) names.add("\\fB" + esc(n) + "\\fR");
        String label = o.typeInfo().isBoolean() ? "" : "=\\fI" + esc(o.paramLabel()) + "\\fR";
        return String.join(", ", names) + label;
    }

    /** picocli's variables as --help shows them. */
    private static String expand(String s, OptionSpec o) {
        if (o != null) {
            s = s.replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue()));
            if (o.completionCandidates() != null) {
                List<String> c = new ArrayList<>();
                o.completionCandidates().forEach(c::add);
                s = s.replace("${COMPLETION-CANDIDATES}", String.join(", ", c));
            }
        }
        return s;
    }

    /** Running text: escaped, and no line may start with a control character. */
    private static String text(String s) {
        String e = esc(s);
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }

    private static String esc(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-").replace("\n", " ");
    }
}
