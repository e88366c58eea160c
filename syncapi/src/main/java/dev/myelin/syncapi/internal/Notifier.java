package dev.myelin.syncapi.internal;

import dev.myelin.syncapi.api.SyncWaker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes waiting {@code /sync} long polls. Each waiting user has one small signal (a version counter and the
 * callbacks of the polls parked on it) that exists only while someone waits; a parked poll holds no thread, only
 * its callback, so 10,000 idle polls cost 10,000 small objects, nothing per room or per event. A poll takes a
 * {@link Ticket} BEFORE it reads the indexes; a wake-up after that moment bumps the version, so no wake-up
 * between "read: nothing new" and "park" is lost.
 */
public final class Notifier implements SyncWaker {

    private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();

    /** A poll's registration as a waiter for one user, from before its first read until it answers. */
    public final class Ticket implements AutoCloseable {
        private final String userId;
        private final Signal signal;
        private long seen;

        private Ticket(String userId, Signal signal, long seen) {
            this.userId = userId;
            this.signal = signal;
            this.seen = seen;
        }

        /** Marks everything woken so far as seen: call right before reading the indexes again. */
        public void rearm() {
            signal.lock.lock();
            try {
                seen = signal.version;
            } finally {
                signal.lock.unlock();
            }
        }

        /**
         * Parks {@code onWake}: it runs once, on the waking thread, at the next wake-up. Returns false without
         * parking when a wake-up came since {@link #rearm} (read again at once then).
         */
        public boolean park(Runnable onWake) {
            signal.lock.lock();
            try {
                if (signal.version != seen) return false;
                signal.parked.add(onWake);
                return true;
            } finally {
                signal.lock.unlock();
            }
        }

        /**
         * Notes that a read for {@code key}, started at the last {@link #rearm}, found nothing new. Until the next
         * wake-up of the user, {@link #quiet} tells every ticket of the user that a read for an equal key would
         * find nothing either.
         */
        public void markQuiet(Object key) {
            signal.lock.lock();
            try {
                // why: a slow read that started before the newest marker's read must not replace it
                if (signal.quietKey != null && signal.quietVersion > seen) return;
                signal.quietKey = key;
                signal.quietVersion = seen;
            } finally {
                signal.lock.unlock();
            }
        }

        /**
         * True when a read for a key equal to {@code key} found nothing new and no wake-up came since that read
         * started: a read now would find nothing new either, since whatever changed for the user since then woke
         * it (and every change is visible before its wake-up). Call right after {@link #rearm}.
         */
        public boolean quiet(Object key) {
            signal.lock.lock();
            try {
                return signal.quietKey != null && signal.quietVersion == seen && signal.version == seen
                        && signal.quietKey.equals(key);
            } finally {
                signal.lock.unlock();
            }
        }

        /** Takes {@code onWake} back if no wake-up has run it yet; true when taken (it will not run). */
        public boolean unpark(Runnable onWake) {
            signal.lock.lock();
            try {
                return signal.parked.remove(onWake);
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
        final ReentrantLock lock = new ReentrantLock(); // why: not synchronized, so virtual threads never pin on it
        // why: identity set: a poll that times out takes its callback back in O(1), however many polls the user has
        final Set<Runnable> parked = Collections.newSetFromMap(new IdentityHashMap<>(4));
        long version;
        int waiters;
        // why: lives and dies with the signal, so a key is only trusted while the version it was read at can be compared
        Object quietKey;
        long quietVersion;
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
        List<Runnable> woken;
        signal.lock.lock();
        try {
            signal.version++;
            if (signal.parked.isEmpty()) return;
            woken = new ArrayList<>(signal.parked);
            signal.parked.clear();
        } finally {
            signal.lock.unlock();
        }
        // why: outside the lock; each callback only hands its poll to an executor
        for (Runnable r : woken) r.run();
    }

    @Override
    public void wakeDevice(String userId, String deviceId) {
        // why: a woken poll of another device finds nothing for itself and parks again; cheaper than per-device signals
        wakeUser(userId);
    }

    /** How many polls are parked, waiting for a wake-up (for tests: a poll counts once its read found nothing). */
    public int parkedPolls() {
        int n = 0;
        for (Signal signal : signals.values()) {
            signal.lock.lock();
            try {
                n += signal.parked.size();
            } finally {
                signal.lock.unlock();
            }
        }
        return n;
    }

    /** How many users have a waiting poll (for metrics and tests). */
    public int waitingUsers() {
        return signals.size();
    }
}
