package dev.myelin.platform.config;

/** A configuration that cannot be used: names the key at fault and why, e.g. {@code config: listen: port must be 1–65535, got 70000}. */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String reason) {
        super(key.isEmpty() ? "config: " + reason : "config: " + key + ": " + reason, null, false, false);
        this.key = key;
    }

    /** The dotted key at fault ({@code database.postgres.pool_size}), or empty for the file as a whole. */
    public String key() { return key; }
}
