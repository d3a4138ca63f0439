package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The adaptive choice follows the faster of its two options, moves when they swap, and obeys the modes. */
class SplitChoiceTest {

    /** Decisions of {@code site} over {@code calls} calls fed the given costs (ns per call); returns the calls split. */
    private static int run(SplitChoice site, int bucket, int calls, long aloneNanos, long splitNanos) {
        int split = 0;
        for (int i = 0; i < calls; i++) {
            boolean s = site.split(bucket);
            if (s) split++;
            site.record(bucket, s, s ? splitNanos : aloneNanos, 1000);
        }
        return split;
    }

    /** Runs {@code body} in the given split mode, restoring the one before. */
    private static void inMode(Parallel.Split mode, Runnable body) {
        Parallel.Split old = Parallel.setSplit(mode);
        try {
            body.run();
        } finally {
            Parallel.setSplit(old);
        }
    }

    @Test
    void takesTheFasterChoiceExploresTheOtherAndMovesWhenTheyCross() {
        inMode(Parallel.Split.ADAPTIVE, () -> {
            SplitChoice site = new SplitChoice("test");
            int split = run(site, 10, 2000, 30_000, 10_000);
            assertTrue(split > 1850, "split " + split + " of 2000 where splitting is 3x faster");
            assertTrue(split < 2000, "the other choice is never tried again");
            // the host turns noisy: the split becomes slower; within a few hundred calls the choice follows
            run(site, 10, 500, 30_000, 90_000);
            int later = run(site, 10, 2000, 30_000, 90_000);
            assertTrue(later < 300, "split " + later + " of 2000 where running alone is 3x faster");
            // another size at the same site learns on its own
            assertTrue(run(site, 11, 2000, 30_000, 10_000) > 1700);
            // one GC pause in a call does not flip a clear choice for long
            site.record(11, true, 1_000_000_000L, 1000);
            assertTrue(run(site, 11, 200, 30_000, 10_000) > 120);
        });
    }

    @Test
    void aFarSlowerChoiceIsTriedRarelyAndWinsBackWhenTheHostQuietens() {
        inMode(Parallel.Split.ADAPTIVE, () -> {
            SplitChoice site = new SplitChoice("test");
            run(site, 4, 1000, 10_000, 500_000); // a stolen vCPU: each split 50x slower
            int tried = run(site, 4, 20_000, 10_000, 500_000); // ~8 expected
            assertTrue(tried < 60, "a split 50x slower tried " + tried + " times in 20,000 calls");
            run(site, 4, 100_000, 30_000, 10_000); // quiet again: the split 3x faster
            assertTrue(run(site, 4, 1000, 30_000, 10_000) > 900);
        });
    }

    @Test
    void aCallOfMillisecondsAlwaysSplitsWhateverItsNoisySamplesSay() {
        inMode(Parallel.Split.ADAPTIVE, () -> {
            SplitChoice site = new SplitChoice("test");
            int bucket = 20; // about 10^6 units
            long work = 1L << bucket;
            site.record(bucket, false, 10_000_000L, work); // 10 ms alone
            for (int i = 0; i < 10; i++) site.record(bucket, true, 20_000_000L, work); // a stolen vCPU: 20 ms split
            for (int i = 0; i < 100; i++) assertTrue(site.split(bucket));
            // below the limit the same samples, 1,000 times shorter, choose by speed
            SplitChoice small = new SplitChoice("test small");
            small.record(bucket, false, 10_000L, work);
            for (int i = 0; i < 10; i++) small.record(bucket, true, 20_000L, work);
            for (int i = 0; i < 3; i++) small.record(bucket, false, 10_000L, work);
            int split = 0;
            for (int i = 0; i < 1000; i++) if (small.split(bucket)) split++;
            assertTrue(split < 100, "split " + split + " of 1000 where running alone is 2x faster");
        });
    }

    @Test
    void aColdFirstCallAloneDoesNotPinTheSiteToSplitting() {
        inMode(Parallel.Split.ADAPTIVE, () -> {
            // seen in a bench: an Adam pass's first call alone, still interpreted, took 57 ms;
            // with the 4 ms rule reading that one sample, the site split 2,066 times in 2,067
            // while running alone was twice as fast
            SplitChoice site = new SplitChoice("test cold");
            int bucket = 2;
            long work = 1L << bucket;
            site.record(bucket, true, 200_000L, work);
            site.record(bucket, false, 57_000_000L, work);
            int alone = 0;
            for (int i = 0; i < 3000; i++) {
                boolean s = site.split(bucket);
                if (!s) alone++;
                site.record(bucket, s, s ? 200_000L : 100_000L, work);
            }
            assertTrue(alone > 2500, "alone " + alone + " of 3000 calls where running alone is 2x faster");
        });
    }

    @Test
    void twoShapesOfEqualWorkLearnTheirOwnChoices() {
        inMode(Parallel.Split.ADAPTIVE, () -> {
            // 128x784·784x256 and 128x256·256x784: the same multiply-adds, one bucket, but here
            // the first splits 2x faster than it runs alone and the second runs alone 2x faster
            long work = 128L * 784 * 256;
            long wide = GemmStats.shapeKey(false, false, 128, 256, 784), deep = GemmStats.shapeKey(false, false, 128, 784, 256);
            SplitChoice site = new SplitChoice("test shapes", GemmStats::describeShape);
            int a = site.slot(wide, work), b = site.slot(deep, work);
            assertTrue(a != b && a != SplitChoice.bucket(work) && b != SplitChoice.bucket(work), a + " " + b);
            assertEquals(a, site.slot(wide, work));
            int splitA = 0, splitB = 0;
            for (int i = 0; i < 3000; i++) { // interleaved, as the products of a training step are
                boolean s = site.split(site.slot(wide, work));
                if (s) splitA++;
                site.record(a, s, s ? 300_000 : 600_000, work);
                s = site.split(site.slot(deep, work));
                if (s) splitB++;
                site.record(b, s, s ? 600_000 : 300_000, work);
            }
            assertTrue(splitA > 2700, "the shape that splits faster split " + splitA + " times in 3000");
            assertTrue(splitB < 300, "the shape that runs alone faster split " + splitB + " times in 3000");
            String report = Parallel.splitReport();
            assertTrue(report.contains("test shapes NN:128x784x256"), report);
            assertTrue(report.contains("test shapes NN:128x256x784"), report);
            // the same timings keyed by size: one choice for both, so one of them loses on every call
            SplitChoice bySize = new SplitChoice("test sizes");
            int bucket = SplitChoice.bucket(work), wrong = 0;
            for (int i = 0; i < 3000; i++) {
                boolean s = bySize.split(bucket);
                bySize.record(bucket, s, s ? 300_000 : 600_000, work);
                if (!s) wrong++;
                s = bySize.split(bucket);
                bySize.record(bucket, s, s ? 600_000 : 300_000, work);
                if (s) wrong++;
            }
            assertTrue(wrong > 2500, "keyed by size, " + wrong + " of 6000 calls took the slower choice");
        });
    }

    @Test
    void shapesPastTheTableShareTheirBucketAndSitesWithoutShapesKeyBySize() {
        SplitChoice site = new SplitChoice("test full", GemmStats::describeShape);
        long work = 1L << 22;
        java.util.Set<Integer> slots = new java.util.HashSet<>();
        for (int i = 0; i < SplitChoice.SHAPES; i++) slots.add(site.slot(GemmStats.shapeKey(false, true, 64 + i, 256, 256), work));
        assertEquals(SplitChoice.SHAPES, slots.size());
        assertTrue(slots.stream().allMatch(s -> s >= 64), slots.toString());
        assertEquals(22, site.slot(GemmStats.shapeKey(true, false, 1000, 64, 64), work));
        assertEquals(22, site.slot(0, work)); // no key: by size
        assertEquals(22, new SplitChoice("test plain").slot(GemmStats.shapeKey(false, false, 4, 4, 4), work));
        assertEquals(0, GemmStats.shapeKey(false, false, 1 << 20, 4, 4)); // too large to key: by size
        assertEquals("TN:784x128x256", GemmStats.describeShape(GemmStats.shapeKey(true, false, 784, 256, 128)));
    }

    @Test
    void aSplitTriedWhileTheWorkerIsParkedCountsTheNextOne() {
        inMode(Parallel.Split.ADAPTIVE, () -> {
            // A worker parks after a millisecond without calls: a split after a call alone pays its
            // wake-up (here 900 µs against 500 alone), a split after a split does not (300 µs).
            // Counting the first kind, the site stays alone for good; counting the split after it,
            // it finds that splitting is faster.
            boolean[] lastSplit = {false};
            SplitChoice site = new SplitChoice("test parked", null, () -> !lastSplit[0]);
            int split = 0;
            for (int i = 0; i < 4000; i++) {
                boolean s = site.split(7);
                site.record(7, s, s ? (lastSplit[0] ? 300_000 : 900_000) : 500_000, 1000);
                lastSplit[0] = s;
                if (i >= 2000 && s) split++;
            }
            assertTrue(split > 1800, "split " + split + " of the last 2000 calls where a split in a row is faster");
            // where every split pays the wake-up (the worker parks between any two calls), it stays alone
            SplitChoice parked = new SplitChoice("test always parked", null, () -> true);
            int late = 0;
            for (int i = 0; i < 4000; i++) {
                boolean s = parked.split(7);
                parked.record(7, s, s ? 900_000 : 500_000, 1000);
                if (i >= 2000 && s) late++;
            }
            assertTrue(late < 250, "split " + late + " of the last 2000 calls where every split is slower");
        });
    }

    @Test
    void fixedAlwaysSplitsAndSerialNever() {
        inMode(Parallel.Split.FIXED, () -> {
            SplitChoice site = new SplitChoice("test");
            assertEquals(100, run(site, 3, 100, 1, 1_000_000));
            Parallel.setSplit(Parallel.Split.SERIAL);
            assertEquals(0, run(site, 3, 100, 1_000_000, 1));
        });
    }

    @Test
    void aCallRunAloneRunsItsPartsInOrderOnTheCallerWithTheLoopsInside() {
        inMode(Parallel.Split.SERIAL, () -> {
            Thread caller = Thread.currentThread();
            AtomicIntegerArray order = new AtomicIntegerArray(6);
            int[] next = {0};
            int parts = Parallel.parts(600_000, 100_000);
            Parallel.forRange(600_000, 100_000, (part, from, to) -> {
                assertEquals(caller, Thread.currentThread());
                order.set(part, next[0]++);
                assertEquals(600_000L * part / parts, from);
                Parallel.forEach(2, i -> assertEquals(caller, Thread.currentThread()));
            });
            assertEquals(parts, next[0]);
            for (int p = 0; p < parts; p++) assertEquals(p, order.get(p));
        });
    }

    @Test
    void theReportCountsEachSitesChoices() {
        inMode(Parallel.Split.FIXED, () -> {
            SplitChoice site = new SplitChoice("report-test");
            run(site, 5, 7, 1, 1);
            String report = Parallel.splitReport();
            assertTrue(report.matches("(?s).*report-test +5 +0 / 7 .*"), report);
        });
    }
}
