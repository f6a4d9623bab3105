package io.pangaea.model;

import java.util.List;

/**
 * What to run. With {@code shell} true (the default) {@code value} is run by {@code /bin/sh -c}; otherwise
 * {@code value} is the executable and {@code arguments} its argv (the first being argv[0]).
 */
public record CommandInfo(List<CommandUri> uris, Environment environment, Boolean shell, String value,
                          List<String> arguments, String user) {
    public static CommandInfo shell(String command) {
        return new CommandInfo(null, null, true, command, null, null);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isShell() {
        return shell == null || shell;
    }
}
