package dev.myelin.syncapi.internal;

import dev.myelin.syncapi.api.SyncWaker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes parked {@code /sync} long polls. Each waiting user has one small signal (a version counter and a
 * condition) that exists only while someone waits, so 10,000 idle polls cost 10,000 parked virtual threads and
 * as many signals, nothing per room or per event. A poll takes a {@link Ticket} BEFORE it reads the indexes;
 * a wake-up after that moment bumps the version, so no wake-up between "read: nothing new" and "park" is lost.
 */
public final class Notifier implements SyncWaker {

    private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();

    /** A poll's registration as a waiter for one user. */
    public final class Ticket implements AutoCloseable {
        private final String userId;
        private final Signal signal;
        private long seen;

        private Ticket(String userId, Signal signal, long seen) {
            this.userId = userId;
            this.signal = signal;
            this.seen = seen;
        }

        /** Parks until the user is woken after this ticket was taken, or {@code nanos} pass; true when woken. */
        public boolean await(long nanos) {
            signal.lock.lock();
            try {
                while (signal.version == seen && nanos > 0) {
                    nanos = signal.changed.awaitNanos(nanos);
                }
                boolean woken = signal.version != seen;
                seen = signal.version;
                return woken;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return signal.version != seen;
            } finally {
                signal.lock.unlock();
            }
        }

        @Override
        public void close() {
            signal.lock.lock();
            try {
                if (--signal.waiters == 0) signals.remove(userId, signal);
            } finally {
                signal.lock.unlock();
            }
        }
    }

    private static final class Signal {
        final ReentrantLock lock = new ReentrantLock(); // why: not synchronized, so parked virtual threads unmount
        final Condition changed = lock.newCondition();
        long version;
        int waiters;
    }

    /** Registers the calling poll as a waiter for {@code userId}; close the ticket when done. */
    public Ticket ticket(String userId) {
        while (true) {
            Signal signal = signals.computeIfAbsent(userId, u -> new Signal());
            signal.lock.lock();
            try {
                // why: a signal whose last waiter left was removed from the map; take a fresh one then
                if (signals.get(userId) != signal) continue;
                signal.waiters++;
                return new Ticket(userId, signal, signal.version);
            } finally {
                signal.lock.unlock();
            }
        }
    }

    @Override
    public void wakeUser(String userId) {
        Signal signal = signals.get(userId);
        if (signal == null) return;
        signal.lock.lock();
        try {
            signal.version++;
            signal.changed.signalAll();
        } finally {
            signal.lock.unlock();
        }
    }

    @Override
    public void wakeDevice(String userId, String deviceId) {
        // why: a woken poll of another device finds nothing for itself and parks again; cheaper than per-device signals
        wakeUser(userId);
    }

    /** How many users have a waiting poll (for metrics and tests). */
    public int waitingUsers() {
        return signals.size();
    }

    static long millisToNanos(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
