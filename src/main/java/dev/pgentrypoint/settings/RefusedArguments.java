package dev.pgentrypoint.settings;

import java.util.ArrayList;
import java.util.List;

/**
 * The postgres arguments of the command line that the entrypoint cannot pass to the server it
 * supervises, each with what it is and what to do instead. Options with which postgres only prints
 * something ({@code --version}, {@code -V}, {@code --help}, {@code -?}, {@code --describe-config},
 * {@code -C NAME}) never get here: the launcher runs postgres with them itself.
 */
public final class RefusedArguments {
    private RefusedArguments() {
    }

    /** A refused argument (as given, with its value when it takes one) and the hint for it. */
    public record Refusal(String argument, String hint) {
    }

    /** Every refused argument of the list, in order; {@code postgres} is the server binary the hints name. */
    public static List<Refusal> of(List<String> args, String postgres) {
        List<Refusal> refused = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String next = i + 1 < args.size() ? args.get(i + 1) : null;
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String setting = arg.equals("-c") && next != null ? next
                    : arg.startsWith("-c") && arg.length() > 2 ? arg.substring(2)
                    : arg.startsWith("--") ? arg.substring(2) : null;
            boolean dataDirectorySetting = setting != null
                    && setting.split("=", 2)[0].replace('-', '_').equalsIgnoreCase("data_directory");
            if (arg.equals("-D") || arg.equals("--data-directory") || dataDirectorySetting
                    || option.equals("--data-directory") || arg.startsWith("-D") && arg.length() > 2) {
                boolean separateValue = (arg.equals("-D") || arg.equals("--data-directory") || arg.equals("-c")) && next != null;
                String value = separateValue ? next.contains("=") && arg.equals("-c") ? next.substring(next.indexOf('=') + 1) : next
                        : arg.startsWith("-D") && arg.length() > 2 ? arg.substring(2)
                        : arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "DIR";
                refused.add(new Refusal(separateValue ? arg + " " + next : arg, "sets the data directory, which the "
                        + "entrypoint takes from PGDATA: remove it and set PGDATA=" + value + " instead"));
                if (separateValue) {
                    i++;
                }
            } else if (arg.equals("--single")) {
                refused.add(new Refusal(arg, "starts a single-user backend, not a server the entrypoint can supervise: "
                        + "with the server stopped, run it as a command as the postgres user, e.g. pg-entrypoint setpriv "
                        + "--reuid=postgres --regid=postgres --init-groups " + postgres + " --single -D \"$PGDATA\" postgres"));
            } else if (arg.equals("--boot")) {
                refused.add(new Refusal(arg, "is bootstrap mode, which only initdb uses (the entrypoint runs initdb itself when "
                        + "PGDATA is empty): remove it"));
            }
        }
        return refused;
    }
}
