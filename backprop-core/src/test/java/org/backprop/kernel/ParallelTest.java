package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The kernel pool runs every part exactly once, in any state of its workers, and reports failures. */
class ParallelTest {

    private static int[] runCounts(int parts) {
        AtomicIntegerArray runs = new AtomicIntegerArray(parts);
        Parallel.forEach(parts, runs::incrementAndGet);
        int[] out = new int[parts];
        for (int i = 0; i < parts; i++) out[i] = runs.get(i);
        return out;
    }

    @Test
    void everyPartRunsExactlyOnceForFewerEqualAndMorePartsThanThreads() {
        for (int parts : new int[] {0, 1, 2, Parallel.THREADS, Parallel.THREADS + 1, 3 * Parallel.THREADS + 2}) {
            for (int repeat = 0; repeat < 200; repeat++) { // calls back to back: workers still awake
                int[] counts = runCounts(parts);
                for (int i = 0; i < parts; i++) assertEquals(1, counts[i], "part " + i + " of " + parts);
            }
        }
    }

    @Test
    void partsAfterTheWorkersParkedStillRun() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            Thread.sleep(3 + Parallel.SPIN_NANOS / 1_000_000); // past the spin: the workers park
            int[] counts = runCounts(2 * Parallel.THREADS);
            for (int c : counts) assertEquals(1, c);
        }
    }

    @Test
    void aCallerWhoseWorkerIsBusyRunsTheWorkersPartsInsteadOfWaiting() throws InterruptedException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Parallel.THREADS == 2);
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        // A together call that the caller may leave early: its worker stays in part 1 (a worker
        // descheduled on a busy host, made deterministic) until released.
        assertTrue(Parallel.together(2, t -> {
            if (t == 1) {
                started.countDown();
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, () -> true));
        assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
        Parallel.Split old = Parallel.setSplit(Parallel.Split.FIXED);
        try {
            Thread[] ran = new Thread[4];
            long t0 = System.nanoTime();
            Parallel.forEach(ran.length, i -> ran[i] = Thread.currentThread());
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the caller waited for the busy worker");
            for (Thread t : ran) assertSame(Thread.currentThread(), t, "every part on the caller");
        } finally {
            release.countDown();
            Parallel.setSplit(old);
        }
        assertArrayEquals(new int[] {1, 1, 1, 1}, runCounts(4), "the worker takes parts again once free");
    }

    @Test
    void aFailureInAnyPartReachesTheCallerAfterTheOtherPartsFinished() {
        for (int failing = 0; failing < Math.max(2, Parallel.THREADS); failing++) {
            int bad = failing;
            AtomicIntegerArray done = new AtomicIntegerArray(Math.max(2, Parallel.THREADS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(done.length(), i -> {
                if (i == bad) throw new IllegalStateException("part " + i);
                done.incrementAndGet(i);
            }));
            assertEquals("part " + bad, e.getMessage());
            for (int i = 0; i < done.length(); i++) assertEquals(i == bad ? 0 : 1, done.get(i), "part " + i);
        }
        assertArrayEquals(new int[] {1, 1, 1}, runCounts(3), "the pool works after a failure");
    }

    @Test
    void aNestedCallRunsOnTheThreadOfItsPart() {
        int outer = Math.max(2, Parallel.THREADS);
        AtomicReference<String> wrong = new AtomicReference<>();
        AtomicIntegerArray inner = new AtomicIntegerArray(outer * 3);
        Parallel.forEach(outer, i -> {
            Thread mine = Thread.currentThread();
            Parallel.forEach(3, j -> {
                if (Thread.currentThread() != mine) wrong.set("part " + i + "." + j + " ran on " + Thread.currentThread());
                inner.incrementAndGet(i * 3 + j);
            });
        });
        assertSame(null, wrong.get(), wrong.get());
        for (int k = 0; k < inner.length(); k++) assertEquals(1, inner.get(k));
    }

    @Test
    void twoThreadsCallingAtOnceBothGetEveryPart() throws Exception {
        int calls = 2000, parts = 2 * Parallel.THREADS + 1;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable caller = () -> {
            try {
                start.await();
                for (int c = 0; c < calls; c++) {
                    int[] counts = runCounts(parts);
                    for (int i = 0; i < parts; i++) if (counts[i] != 1) throw new AssertionError("part " + i + " ran " + counts[i] + " times");
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread a = new Thread(caller), b = new Thread(caller);
        a.start();
        b.start();
        start.countDown();
        a.join(60_000);
        b.join(60_000);
        assertFalse(a.isAlive() || b.isAlive(), "a caller hung");
        assertTrue(failure.get() == null, String.valueOf(failure.get()));
    }

    @Test
    void forRangeCoversEachItemOnceInContiguousRangesOfAtLeastTheMinimum() {
        for (int n : new int[] {0, 1, 7, 1000, 100_003}) {
            for (long min : new long[] {1, 3, 1000, Long.MAX_VALUE}) {
                int[] hits = new int[n];
                int parts = Parallel.parts(n, min);
                java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
                Parallel.forRange(n, min, (part, from, to) -> {
                    calls.incrementAndGet();
                    assertEquals((int) ((long) n * part / parts), from, "part " + part + " of " + parts);
                    if (parts > 1) assertTrue(to - from >= min, "range " + from + ".." + to + " for min " + min);
                    for (int i = from; i < to; i++) hits[i]++;
                });
                assertEquals(parts, calls.get());
                assertTrue(parts >= 1 && parts <= Parallel.THREADS);
                if (min == Long.MAX_VALUE || n < 2 * min) assertEquals(1, parts, n + " items, min " + min);
                for (int i = 0; i < n; i++) assertEquals(1, hits[i], "item " + i);
            }
        }
        assertEquals(Math.min(Parallel.THREADS, 4), Parallel.parts(4 * 1000, 1000));
    }

    /**
     * together: every part on a thread of its own at once (so a barrier between the parts
     * completes), or nothing run and false: more parts than threads, or from inside a part.
     */
    @Test
    void togetherRunsThePartsAtOnceOrNotAtAll() throws InterruptedException {
        assertFalse(Parallel.together(Parallel.THREADS + 1, i -> { throw new AssertionError("ran part " + i); }));
        if (Parallel.THREADS < 2) return;
        CountDownLatch barrier = new CountDownLatch(2);
        AtomicIntegerArray ran = new AtomicIntegerArray(2);
        boolean[] nested = {true};
        assertTrue(Parallel.together(2, i -> {
            barrier.countDown();
            try {
                assertTrue(barrier.await(30, java.util.concurrent.TimeUnit.SECONDS), "the other part never ran alongside");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            ran.incrementAndGet(i);
            if (i == 0) nested[0] = Parallel.together(2, j -> { throw new AssertionError("nested part ran"); });
        }));
        assertArrayEquals(new int[] {1, 1}, new int[] {ran.get(0), ran.get(1)});
        assertFalse(nested[0], "a call from inside a part cannot have the threads");
    }
}
