package dev.myelin.platform.db;

import static dev.myelin.platform.db.DatabaseContractTest.body;
import static dev.myelin.platform.db.DatabaseContractTest.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Group commit: works of concurrent callers share one transaction, and one work's failure touches no other. */
@DatabaseComponent("platformtest")
class GroupCommitTest {

    @DatabaseTest
    void aFailingWorkInABatchRollsBackOnlyItself(Database db) throws Exception {
        GroupCommit group = new GroupCommit(db);
        List<Long> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger[] runs = new AtomicInteger[7];
        for (int i = 0; i < runs.length; i++) runs[i] = new AtomicInteger();
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch othersQueued = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // why: the first work holds its transaction until the others have queued, so they form one batch
            Future<Integer> first = threads.submit(() -> group.write(c -> {
                firstRunning.countDown();
                try {
                    othersQueued.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return insert(c, 1, "first");
            }));
            firstRunning.await(10, TimeUnit.SECONDS);
            List<Future<Integer>> batch = new ArrayList<>();
            for (int i = 2; i <= 6; i++) {
                long id = i;
                batch.add(threads.submit(() -> group.write(c -> {
                    runs[(int) id].incrementAndGet();
                    insert(c, id, "row " + id);
                    Database.afterCommit(c, () -> announced.add(id));
                    if (id == 4) throw new IllegalStateException("refused " + id);
                    return (int) id;
                })));
            }
            // why: give the five callers time to queue behind the first transaction
            while (!queued(group, 5)) Thread.sleep(5);
            othersQueued.countDown();
            assertThat(first.get()).isEqualTo(1);
            for (Future<Integer> f : batch) {
                if (f == batch.get(2)) {
                    assertThatThrownBy(f::get).hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("refused 4");
                } else {
                    assertThat(f.get()).isBetween(2, 6);
                }
            }
        }
        for (long id : new long[] {1, 2, 3, 5, 6}) assertThat(db.<String>read(c -> body(c, id))).isNotNull();
        assertThat(db.<String>read(c -> body(c, 4))).as("the refused work's row").isNull();
        assertThat(announced).as("after-commit hooks: once each, none of the refused work nor of the rolled-back first attempt")
                .containsExactlyInAnyOrder(2L, 3L, 5L, 6L);
        assertThat(group.batchesRun()).as("the first alone, then the five queued behind it together").isEqualTo(2);
        // why: the failure rolled back the whole first attempt; the others ran again, the failed work did not
        // (the callers queue in no fixed order, so which works ran before the failing one is not known)
        assertThat(runs[4].get()).isEqualTo(1);
        for (int id : new int[] {2, 3, 5, 6}) assertThat(runs[id].get()).isBetween(1, 2);
        assertThat(group.savepointsTaken()).as("the second attempt isolates the four others").isEqualTo(4);
    }

    @DatabaseTest
    void aBatchWithoutFailuresTakesNoSavepointsAndRunsEachWorkOnce(Database db) throws Exception {
        GroupCommit group = new GroupCommit(db);
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch othersQueued = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = threads.submit(() -> group.write(c -> {
                firstRunning.countDown();
                try {
                    othersQueued.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return insert(c, 1, "first");
            }));
            firstRunning.await(10, TimeUnit.SECONDS);
            List<Future<Integer>> batch = new ArrayList<>();
            for (int i = 2; i <= 6; i++) {
                long id = i;
                batch.add(threads.submit(() -> group.write(c -> {
                    runs.incrementAndGet();
                    return insert(c, id, "row " + id);
                })));
            }
            while (!queued(group, 5)) Thread.sleep(5);
            othersQueued.countDown();
            first.get();
            for (Future<Integer> f : batch) f.get();
        }
        for (long id : new long[] {1, 2, 3, 4, 5, 6}) assertThat(db.<String>read(c -> body(c, id))).isNotNull();
        assertThat(group.batchesRun()).isEqualTo(2);
        assertThat(runs.get()).as("each work ran once").isEqualTo(5);
        assertThat(group.savepointsTaken()).as("no failure, no savepoint").isZero();
    }

    @DatabaseTest
    void everyCallerReturnsAfterItsCommitAndSeesItsAfterCommitHookRun(Database db) throws Exception {
        GroupCommit group = new GroupCommit(db);
        AtomicInteger hooks = new AtomicInteger();
        int callers = 40;
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                long id = i;
                futures.add(threads.submit(() -> {
                    AtomicInteger ran = new AtomicInteger();
                    group.write("key" + id, c -> insert(c, id, "n" + id), n -> {
                        ran.incrementAndGet();
                        hooks.incrementAndGet();
                    });
                    assertThat(ran.get()).as("hook ran before the caller returned").isEqualTo(1);
                    // committed: another connection sees it
                    return db.read(c -> body(c, id));
                }));
            }
            for (int i = 0; i < callers; i++) assertThat(futures.get(i).get()).isEqualTo("n" + i);
        }
        assertThat(hooks.get()).isEqualTo(callers);
    }

    @DatabaseTest
    void aLoneFailingWorkGetsTheDatabaseError(Database db) {
        GroupCommit group = new GroupCommit(db);
        db.write(c -> insert(c, 7, "taken"));
        // a lone work that breaks a constraint: the database's error reaches the caller, nothing is stored
        assertThatThrownBy(() -> group.write(c -> insert(c, 7, "again"))).isInstanceOf(DatabaseException.class);
        assertThat(db.<String>read(c -> body(c, 7))).isEqualTo("taken");
    }

    private static boolean queued(GroupCommit group, int n) {
        return group.queued() >= n;
    }
}
