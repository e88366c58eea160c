package dev.myelin.syncapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class LongPollsTest {
    private static final ObjectNode EMPTY = JsonNodeFactory.instance.objectNode();

    @Test
    void theFirstReadRunsOffTheCallingThread() throws Exception {
        try (LongPolls polls = new LongPolls(new Notifier(), 2)) {
            AtomicReference<Thread> reader = new AtomicReference<>();
            CompletableFuture<ObjectNode> answer = polls.poll("@a:x", null, 20_000, () -> {
                reader.set(Thread.currentThread());
                return new LongPolls.Attempt(EMPTY, true);
            });
            answer.get(5, TimeUnit.SECONDS);
            assertThat(reader.get()).isNotSameAs(Thread.currentThread());
        }
    }

    @Test
    void atMostTheReaderCountOfPollsReadAtOnceAndTheRestWaitWithoutAThread() throws Exception {
        try (LongPolls polls = new LongPolls(new Notifier(), 2)) {
            AtomicInteger reading = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<ObjectNode>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                // why: poll() returns at once (the old code read on the calling thread, and would block here)
                answers.add(polls.poll("@u" + i + ":x", null, 20_000, () -> {
                    most.accumulateAndGet(reading.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    reading.decrementAndGet();
                    return new LongPolls.Attempt(EMPTY, true);
                }));
            }
            Thread.sleep(200);
            assertThat(reading.get()).isEqualTo(2);
            release.countDown();
            for (var a : answers) a.get(5, TimeUnit.SECONDS);
            assertThat(most.get()).isEqualTo(2);
        }
    }

    @Test
    void aPollOfTheSameKeySkipsItsReadUntilAWakeUpAndThenBothRead() throws Exception {
        Notifier notifier = new Notifier();
        try (LongPolls polls = new LongPolls(notifier, 2)) {
            AtomicInteger reads = new AtomicInteger();
            AtomicBoolean news = new AtomicBoolean();
            CompletableFuture<ObjectNode> first = polls.poll("@a:x", "k", 20_000, () -> {
                reads.incrementAndGet();
                return new LongPolls.Attempt(EMPTY, news.get());
            });
            awaitParked(notifier, 1);
            CompletableFuture<ObjectNode> second = polls.poll("@a:x", "k", 20_000, () -> {
                reads.incrementAndGet();
                return new LongPolls.Attempt(EMPTY, news.get());
            });
            awaitParked(notifier, 2);
            assertThat(reads.get()).as("the second poll parked without reading").isEqualTo(1);

            CompletableFuture<ObjectNode> otherKey = polls.poll("@a:x", "other", 20_000, () -> {
                reads.incrementAndGet();
                return new LongPolls.Attempt(EMPTY, news.get());
            });
            awaitParked(notifier, 3);
            assertThat(reads.get()).as("another key reads").isEqualTo(2);

            news.set(true);
            notifier.wakeUser("@a:x");
            first.get(5, TimeUnit.SECONDS);
            second.get(5, TimeUnit.SECONDS);
            otherKey.get(5, TimeUnit.SECONDS);
            assertThat(reads.get()).isEqualTo(5);
        }
    }

    @Test
    void aWakeUpAfterAQuietReadMakesTheNextPollOfThatKeyRead() throws Exception {
        Notifier notifier = new Notifier();
        try (LongPolls polls = new LongPolls(notifier, 2)) {
            AtomicInteger reads = new AtomicInteger();
            AtomicBoolean news = new AtomicBoolean();
            CountDownLatch secondRead = new CountDownLatch(1);
            CompletableFuture<ObjectNode> first = polls.poll("@a:x", "k", 20_000, () -> {
                if (reads.incrementAndGet() == 2) {
                    try {
                        secondRead.await(); // why: hold the woken poll's read, so its new marker is not there yet
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return new LongPolls.Attempt(EMPTY, false);
            });
            awaitParked(notifier, 1);
            news.set(true);
            notifier.wakeUser("@a:x"); // the first poll's re-read is held; the data is there
            CompletableFuture<ObjectNode> second = polls.poll("@a:x", "k", 20_000, () -> {
                reads.incrementAndGet();
                return new LongPolls.Attempt(EMPTY, news.get());
            });
            second.get(5, TimeUnit.SECONDS);
            assertThat(reads.get()).isEqualTo(3);
            secondRead.countDown();
            assertThat(first).isNotDone();
        }
    }

    @Test
    void aParkedPollWithoutAReadStillAnswersAtItsTimeoutWithARead() throws Exception {
        Notifier notifier = new Notifier();
        try (LongPolls polls = new LongPolls(notifier, 2)) {
            AtomicInteger reads = new AtomicInteger();
            CompletableFuture<ObjectNode> first = polls.poll("@a:x", "k", 20_000, () -> {
                reads.incrementAndGet();
                return new LongPolls.Attempt(EMPTY, false);
            });
            awaitParked(notifier, 1);
            ObjectNode timedOut = JsonNodeFactory.instance.objectNode().put("next_batch", "s");
            CompletableFuture<ObjectNode> second = polls.poll("@a:x", "k", 300, () -> {
                reads.incrementAndGet();
                return new LongPolls.Attempt(timedOut, false);
            });
            assertThat(second.get(5, TimeUnit.SECONDS)).isSameAs(timedOut);
            assertThat(reads.get()).isEqualTo(2);
            assertThat(first).isNotDone();
        }
    }

    private static void awaitParked(Notifier notifier, int polls) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (notifier.parkedPolls() < polls) {
            assertThat(System.nanoTime()).as("polls parked in time").isLessThan(deadline);
            Thread.sleep(2);
        }
    }
}
