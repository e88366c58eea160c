package dev.myelin.roomserver.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises input per room and never across rooms: one lock per room ID. Callers run on virtual threads, which
 * park cheaply while they wait for their room. No network I/O may happen while a lane is held.
 */
final class RoomLanes {
    private final ConcurrentHashMap<String, ReentrantLock> lanes = new ConcurrentHashMap<>();

    /** The held lane of {@code roomId}; close it to let the room's next input in. */
    Held enter(String roomId) {
        ReentrantLock lock = lanes.computeIfAbsent(roomId, id -> new ReentrantLock(true));
        lock.lock();
        return lock::unlock;
    }

    /** Whether someone waits to enter the lane of {@code roomId} (for tests). */
    boolean hasWaiters(String roomId) {
        ReentrantLock lock = lanes.get(roomId);
        return lock != null && lock.hasQueuedThreads();
    }

    /** A held lane. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }
}
