package dev.myelin.syncapi.api;

/**
 * Wakes waiting {@code /sync} long polls when a stream that feeds them advanced. Components that implement a
 * {@link SyncExtension} call it after the change is committed (a woken poll re-reads positions and would miss
 * an uncommitted change until the next wake-up).
 */
public interface SyncWaker {

    /** Something new for every device of {@code userId}. */
    void wakeUser(String userId);

    /** Something new for one device only (to-device messages). */
    void wakeDevice(String userId, String deviceId);
}
