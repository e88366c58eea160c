package dev.myelin.syncapi.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /sync} long polls that wait without a thread. A poll reads; with nothing new it parks a callback on the
 * {@link Notifier} and a timer, and its request thread ends. A wake-up or the timeout runs the next read on a fresh
 * virtual thread. Why: a parked virtual thread keeps its whole stack (Jetty, routing, sync: ~5 KiB a poll measured
 * with 10,000 polls) plus its thread-locals; a parked callback is a few small objects.
 */
final class LongPolls implements AutoCloseable {
    /** One read: the response so far, and whether it carries anything new (then the poll answers). */
    record Attempt(ObjectNode json, boolean hasData) {}

    private final Notifier notifier;
    private final ExecutorService readers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("myelin-sync-", 0).factory());
    private final ScheduledThreadPoolExecutor timeouts;

    LongPolls(Notifier notifier) {
        this.notifier = notifier;
        this.timeouts = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "myelin-sync-timeouts");
            t.setDaemon(true);
            return t;
        });
        // why: a poll answered early cancels its timer; without this the queue would keep it until it was due
        timeouts.setRemoveOnCancelPolicy(true);
    }

    /**
     * Reads with {@code read} (first on the calling thread) until a read has data or {@code timeoutMs} passed,
     * re-reading after each wake-up of {@code userId}; completes with the last read's response.
     */
    CompletableFuture<ObjectNode> poll(String userId, long timeoutMs, Supplier<Attempt> read) {
        Poll poll = new Poll(notifier.ticket(userId), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), read);
        poll.run();
        return poll.answer;
    }

    private final class Poll implements Runnable {
        final Notifier.Ticket ticket;
        final long deadline;
        final Supplier<Attempt> read;
        final CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
        // why: one callback object for the poll's life, so the notifier can hand it back by identity
        final Runnable onWake = () -> readers.execute(this);
        volatile boolean expired;
        volatile ScheduledFuture<?> timer;

        Poll(Notifier.Ticket ticket, long deadline, Supplier<Attempt> read) {
            this.ticket = ticket;
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
                    Attempt attempt = read.get();
                    if (attempt.hasData() || expired || System.nanoTime() - deadline >= 0) {
                        finish(attempt.json(), null);
                        return;
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
