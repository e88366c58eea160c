package dev.myelin.server;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The components a process can run ({@code run --components …}); all of them in the embedded shape. */
public enum Component {
    CLIENTAPI, SYNCAPI, FEDERATIONAPI, ROOMSERVER, USERAPI, MEDIAAPI, APPSERVICE;

    /** The name used on the command line and in logs. */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /**
     * Parses a comma-separated list of names.
     *
     * @throws IllegalArgumentException naming the first unknown component and listing the known ones
     */
    public static Set<Component> parseList(List<String> names) {
        Set<Component> components = EnumSet.noneOf(Component.class);
        for (String name : names) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) continue;
            components.add(Arrays.stream(values())
                    .filter(c -> c.cliName().equals(trimmed.toLowerCase(Locale.ROOT)))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown component '" + trimmed + "' (known: "
                            + Arrays.stream(values()).map(Component::cliName).collect(Collectors.joining(", ")) + ")")));
        }
        if (components.isEmpty()) throw new IllegalArgumentException("--components names no component");
        return components;
    }
}
