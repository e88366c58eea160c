package dev.myelin.roomserver.api;

/** Who asks the roomserver for a change: a local user, the device the request came from, and whether it is a guest. */
public record Sender(String userId, String deviceId, boolean guest) {
    public Sender(String userId, String deviceId) {
        this(userId, deviceId, false);
    }
}
