package dev.myelin.syncapi.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /sync} long polls that wait without a thread. A poll reads; with nothing new it parks a callback on the
 * {@link Notifier} and a timer, and its request thread ends. A wake-up or the timeout runs the next read on a fresh
 * virtual thread. Why: a parked virtual thread keeps its whole stack (Jetty, routing, sync: ~5 KiB a poll measured
 * with 10,000 polls) plus its thread-locals; a parked callback is a few small objects.
 *
 * <p>Every read, the first one too, runs on one of at most {@link #READERS} reader threads; the others wait in a
 * queue as a poll object, without a thread. Why: 10,000 polls arriving at once (clients reconnecting, a wake-up
 * of a big room) would otherwise be 10,000 threads blocked on the database pool, each holding a deep stack
 * (~17 KiB measured on PostgreSQL), which grew the heap by ~250 MiB that SerialGC never gave back.
 */
final class LongPolls implements AutoCloseable {
    /** One read: the response so far, and whether it carries anything new (then the poll answers). */
    record Attempt(ObjectNode json, boolean hasData) {}

    /**
     * How many polls read at once. Why this many: a read is a few short transactions on pools of 4 connections
     * (the default); more readers would only wait for a connection, fewer would leave the database idle while a
     * reader renders JSON.
     */
    static final int READERS = 8;

    private final Notifier notifier;
    private final ThreadPoolExecutor readers;
    private final ScheduledThreadPoolExecutor timeouts;

    LongPolls(Notifier notifier) {
        this(notifier, READERS);
    }

    LongPolls(Notifier notifier, int readerCount) {
        this.notifier = notifier;
        this.readers = new ThreadPoolExecutor(readerCount, readerCount, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofVirtual().name("myelin-sync-", 0).factory());
        // why: an idle server keeps no reader threads
        readers.allowCoreThreadTimeOut(true);
        this.timeouts = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "myelin-sync-timeouts");
            t.setDaemon(true);
            return t;
        });
        // why: a poll answered early cancels its timer; without this the queue would keep it until it was due
        timeouts.setRemoveOnCancelPolicy(true);
    }

    /**
     * Reads with {@code read} (on a reader thread, never the calling one) until a read has data or
     * {@code timeoutMs} passed, re-reading after each wake-up of {@code userId}; completes with the last read's
     * response. {@code key} says which polls of the user get the same answer from the same data (e.g. device,
     * since token and filter): a poll skips its read when one with an equal key found nothing new and no wake-up
     * came since (see {@link Notifier.Ticket#quiet}); null to always read.
     */
    CompletableFuture<ObjectNode> poll(String userId, Object key, long timeoutMs, Supplier<Attempt> read) {
        // why: the ticket before queueing, so a wake-up while the poll waits for a reader is not lost
        Poll poll = new Poll(notifier.ticket(userId), key,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), read);
        readers.execute(poll);
        return poll.answer;
    }

    private final class Poll implements Runnable {
        final Notifier.Ticket ticket;
        final Object key;
        final long deadline;
        final Supplier<Attempt> read;
        final CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
        // why: one callback object for the poll's life, so the notifier can hand it back by identity
        final Runnable onWake = () -> readers.execute(this);
        volatile boolean expired;
        volatile ScheduledFuture<?> timer;

        Poll(Notifier.Ticket ticket, Object key, long deadline, Supplier<Attempt> read) {
            this.ticket = ticket;
            this.key = key;
            this.deadline = deadline;
            this.read = read;
        }

        /**
         * One turn of the poll; at most one runs at a time, because only whoever takes the parked callback (a
         * wake-up, the timer, or this turn taking it back) starts the next.
         */
        @Override
        public void run() {
            try {
                while (true) {
                    ticket.rearm(); // why: before the read, so a wake-up during it is not lost
                    boolean due = expired || System.nanoTime() - deadline >= 0;
                    // why: many polls of one device and since token (a client reconnecting while its old poll is held)
                    // cost one read, not 10,000; a due poll reads, as its answer needs a next_batch
                    if (due || key == null || !ticket.quiet(key)) {
                        Attempt attempt = read.get();
                        if (attempt.hasData() || expired || System.nanoTime() - deadline >= 0) {
                            finish(attempt.json(), null);
                            return;
                        }
                        if (key != null) ticket.markQuiet(key);
                    }
                    if (timer == null) timer = timeouts.schedule(this::expire, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (!ticket.park(onWake)) continue; // woken while reading: read again at once
                    // why: the timer may have fired between the check above and the park, finding nothing to take
                    if (expired && ticket.unpark(onWake)) continue;
                    return;
                }
            } catch (RuntimeException | Error e) {
                finish(null, e);
            }
        }

        private void expire() {
            expired = true;
            if (ticket.unpark(onWake)) readers.execute(this);
        }

        private void finish(ObjectNode json, Throwable failure) {
            ticket.close();
            ScheduledFuture<?> t = timer;
            if (t != null) t.cancel(false);
            if (failure == null) answer.complete(json);
            else answer.completeExceptionally(failure);
        }
    }

    /** Stops the timers; polls still waiting then answer at their next wake-up. */
    @Override
    public void close() {
        timeouts.shutdownNow();
        readers.shutdown();
    }
}
