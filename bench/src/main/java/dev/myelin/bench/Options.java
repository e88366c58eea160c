package dev.myelin.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options of a scenario, with defaults; unknown options are errors. */
public final class Options {
    private final Map<String, String> values = new HashMap<>();

    public Options(String[] args, Map<String, String> defaults) {
        values.putAll(defaults);
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || !defaults.containsKey(name.substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + name + " (known: " + defaults.keySet() + ")");
            }
            values.put(name.substring(2), args[++i]);
        }
    }

    public int integer(String name) {
        return Integer.parseInt(values.get(name));
    }

    public String string(String name) {
        return values.get(name);
    }
}
