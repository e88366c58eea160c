package dev.myelin.platform.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A wake-up flag a loop can wait on with a timeout. why: a lock and condition rather than synchronized, so that
 * waiting virtual threads do not pin their carrier on Java 21.
 */
final class Wakeup {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition fired = lock.newCondition();
    private boolean pending;

    void fire() {
        lock.lock();
        try {
            pending = true;
            fired.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until fired or {@code timeout} passes; true (and the flag cleared) if it was fired. */
    boolean await(Duration timeout) {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!pending && nanos > 0) {
                nanos = fired.awaitNanos(nanos);
            }
            boolean was = pending;
            pending = false;
            return was;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return pending;
        } finally {
            lock.unlock();
        }
    }

    static void sleep(Duration d) {
        try {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
