package dev.myelin.platform.concurrent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Turns concurrent calls into batches without a timer: the first caller processes its item at once, alone; items
 * that arrive while a batch is processed queue up, and the first of their callers processes them all as the next
 * batch. Each caller returns once a batch holding its item has been processed. Batches never overlap.
 *
 * <p>why no timer: an idle server then adds no latency, a busy one gets batches as large as its backlog (up to
 * {@code maxBatch}). The items carry their own results: {@code process} records each item's outcome in it.
 *
 * @param <I> one caller's item
 */
public final class Batches<I> {
    private final int maxBatch;
    private final Consumer<List<I>> process;
    private final ReentrantLock mutex = new ReentrantLock();
    private final ArrayDeque<Waiter<I>> queue = new ArrayDeque<>(); // guarded by mutex
    private boolean processing; // guarded by mutex

    /**
     * {@code process} gets the items of one batch in arrival order and must record every item's outcome; it should
     * not throw (if it does, the failure reaches the caller whose thread processed the batch, and the batch's other
     * items count as processed).
     */
    public Batches(int maxBatch, Consumer<List<I>> process) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        this.maxBatch = maxBatch;
        this.process = process;
    }

    /** Returns once {@code item} has been processed in some batch, processed on this thread or another. */
    public void submit(I item) {
        Waiter<I> waiter = new Waiter<>(item, mutex.newCondition());
        mutex.lock();
        try {
            queue.add(waiter);
            while (!waiter.done) {
                if (processing) {
                    waiter.turn.awaitUninterruptibly();
                } else {
                    processNextBatch();
                }
            }
        } finally {
            mutex.unlock();
        }
    }

    /** Items waiting for a batch to take them. */
    public int queued() {
        mutex.lock();
        try {
            return queue.size();
        } finally {
            mutex.unlock();
        }
    }

    /** Takes up to maxBatch queued items and processes them outside the mutex. Holds the mutex. */
    private void processNextBatch() {
        processing = true;
        List<Waiter<I>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
        while (!queue.isEmpty() && batch.size() < maxBatch) batch.add(queue.poll());
        List<I> items = new ArrayList<>(batch.size());
        for (Waiter<I> w : batch) items.add(w.item);
        mutex.unlock();
        try {
            process.accept(items);
        } finally {
            mutex.lock();
            for (Waiter<I> w : batch) {
                w.done = true;
                w.turn.signal();
            }
            processing = false;
            // why: whoever queued while this batch ran processes the next one; nobody else would wake them
            Waiter<I> next = queue.peek();
            if (next != null) next.turn.signal();
        }
    }

    private static final class Waiter<I> {
        final I item;
        final Condition turn;
        boolean done; // guarded by mutex

        Waiter(I item, Condition turn) {
            this.item = item;
            this.turn = turn;
        }
    }
}
