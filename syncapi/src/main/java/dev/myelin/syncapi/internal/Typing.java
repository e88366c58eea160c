package dev.myelin.syncapi.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Who is typing in which room (https://spec.matrix.org/v1.19/client-server-api/#typing-notifications): kept in
 * memory only (typing needs no durability), each entry with its timeout, under one position counter that sync
 * tokens carry as {@code t}. A sweeper thread expires entries and wakes the room's members when it does. After a
 * restart the counter starts again, so a token from the future simply gets the current typing of every room.
 */
public final class Typing implements AutoCloseable {
    private final Clock clock;
    private final Consumer<String> wakeRoom;
    private final ReentrantLock lock = new ReentrantLock(); // why: not synchronized, so virtual threads unmount
    private final Map<String, Map<String, Long>> expiries = new HashMap<>();
    private final Map<String, Long> roomPositions = new HashMap<>();
    private long position;
    private final Thread sweeper;
    private volatile boolean closed;

    /** @param wakeRoom wakes the long polls of a room's members after a change */
    public Typing(Clock clock, Consumer<String> wakeRoom) {
        this.clock = clock;
        this.wakeRoom = wakeRoom;
        this.sweeper = Thread.ofVirtual().name("typing-sweeper").start(this::sweep);
    }

    /** Starts ({@code timeoutMs} > 0) or stops ({@code typing} false) {@code userId} typing in {@code roomId}. */
    public void set(String roomId, String userId, boolean typing, long timeoutMs) {
        lock.lock();
        try {
            Map<String, Long> room = expiries.computeIfAbsent(roomId, r -> new HashMap<>());
            boolean changed = typing ? room.put(userId, clock.millis() + timeoutMs) == null : room.remove(userId) != null;
            if (!changed) return;
            roomPositions.put(roomId, ++position);
        } finally {
            lock.unlock();
        }
        wakeRoom.accept(roomId);
    }

    public long position() {
        lock.lock();
        try {
            return position;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The users typing in {@code roomId} if that changed in {@code (since, upTo]} (or, for an initial sync or a
     * token from before a restart, whenever someone types); null when there is nothing to send.
     */
    public List<String> typingIfChanged(String roomId, long since, long upTo, boolean initial) {
        lock.lock();
        try {
            Long pos = roomPositions.get(roomId);
            boolean reset = since > position;
            Map<String, Long> room = expiries.getOrDefault(roomId, Map.of());
            if (initial || reset) return room.isEmpty() ? null : List.copyOf(room.keySet());
            if (pos == null || pos <= since || pos > upTo) return null;
            return List.copyOf(room.keySet());
        } finally {
            lock.unlock();
        }
    }

    private void sweep() {
        while (!closed) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            List<String> woken = new ArrayList<>();
            lock.lock();
            try {
                long now = clock.millis();
                for (var room : expiries.entrySet()) {
                    if (room.getValue().values().removeIf(expiry -> expiry <= now)) {
                        roomPositions.put(room.getKey(), ++position);
                        woken.add(room.getKey());
                    }
                }
                expiries.values().removeIf(Map::isEmpty);
            } finally {
                lock.unlock();
            }
            woken.forEach(wakeRoom);
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
    }
}
