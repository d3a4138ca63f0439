package org.backprop.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Row indices of train/test splits and K folds, random or stratified. Stratified (when class
 * indices are given): each class is spread over the parts in proportion to its size, so that a
 * 36-row test set of a 3-class table holds about 12 of each class instead of whatever a shuffle
 * gave; on small tables that is the difference between 0.86 and 0.97 accuracy from the split
 * alone. Every method is deterministic in its seed, and returns each part's rows in ascending order.
 */
public final class Splits {
    private Splits() {}

    /** The two parts of a split, as ascending row indices. */
    public record Rows(int[] train, int[] test) {}

    /**
     * Splits {@code n} rows into {@code round(n · testFraction)} test rows and the rest.
     *
     * @param classes each row's class index for a stratified split, or {@code null} for a random one
     *                (the same rows {@link Dataset#split} picks)
     */
    public static Rows trainTest(int[] classes, int n, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("split: the test fraction must be between 0 and 1 (exclusive), got "
                    + testFraction);
        }
        int nTest = (int) Math.round(n * testFraction);
        if (nTest == 0 || nTest == n) {
            throw new IllegalArgumentException("split: a fraction of " + testFraction + " of " + n
                    + " samples leaves an empty part (" + (n - nTest) + " / " + nTest + ")");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] test;
        if (classes == null) {
            test = Arrays.copyOf(Dataset.permutation(n, rng), nTest);
        } else {
            checkClasses(classes, n);
            test = stratifiedTest(classes, nTest, rng);
        }
        Arrays.sort(test);
        return new Rows(complement(test, n), test);
    }

    /**
     * K folds for cross-validation: fold {@code i}'s test rows are {@code result[i].test()}, its
     * training rows all others. Fold sizes differ by at most one; stratified when {@code classes}
     * is given (each class dealt round the folds in turn).
     */
    public static List<Rows> kFold(int[] classes, int n, int k, long seed) {
        if (k < 2 || k > n) throw new IllegalArgumentException("cross-validation needs 2 to " + n + " folds, got " + k);
        SplittableRandom rng = new SplittableRandom(seed);
        List<List<Integer>> folds = new ArrayList<>();
        for (int i = 0; i < k; i++) folds.add(new ArrayList<>());
        int next = 0;
        for (int[] group : groups(classes, n)) {
            shuffle(group, rng);
            for (int r : group) {
                folds.get(next).add(r);
                next = (next + 1) % k;
            }
        }
        List<Rows> out = new ArrayList<>();
        for (List<Integer> fold : folds) {
            int[] test = fold.stream().mapToInt(Integer::intValue).sorted().toArray();
            out.add(new Rows(complement(test, n), test));
        }
        return out;
    }

    /** The rows of each class (one group of all rows when {@code classes} is null). */
    private static List<int[]> groups(int[] classes, int n) {
        if (classes == null) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return List.of(all);
        }
        checkClasses(classes, n);
        int k = Arrays.stream(classes).max().orElse(-1) + 1;
        int[] counts = new int[k];
        for (int c : classes) counts[c]++;
        List<int[]> groups = new ArrayList<>();
        int[][] rows = new int[k][];
        for (int c = 0; c < k; c++) rows[c] = new int[counts[c]];
        int[] fill = new int[k];
        for (int r = 0; r < n; r++) rows[classes[r]][fill[classes[r]]++] = r;
        for (int[] g : rows) if (g.length > 0) groups.add(g);
        return groups;
    }

    /**
     * nTest rows, split among the classes in proportion to their sizes (largest remainders get
     * the leftover rows), keeping at least one row of every class with two or more in training.
     */
    private static int[] stratifiedTest(int[] classes, int nTest, SplittableRandom rng) {
        List<int[]> groups = groups(classes, classes.length);
        int n = classes.length;
        int[] take = new int[groups.size()];
        double[] remainder = new double[groups.size()];
        int taken = 0;
        for (int g = 0; g < take.length; g++) {
            int size = groups.get(g).length;
            double exact = (double) nTest * size / n;
            take[g] = Math.min((int) Math.floor(exact), cap(size));
            remainder[g] = exact - take[g];
            taken += take[g];
        }
        while (taken < nTest) { // hand out the rest by largest remainder, then wherever there is room
            int best = -1;
            for (int g = 0; g < take.length; g++) {
                if (take[g] >= cap(groups.get(g).length)) continue;
                if (best < 0 || remainder[g] > remainder[best]) best = g;
            }
            if (best < 0) { // every class is at its cap: allow emptying single rows' classes
                for (int g = 0; g < take.length && best < 0; g++) if (take[g] < groups.get(g).length) best = g;
            }
            take[best]++;
            remainder[best] -= 1;
            taken++;
        }
        int[] test = new int[nTest];
        int at = 0;
        for (int g = 0; g < take.length; g++) {
            int[] group = groups.get(g);
            shuffle(group, rng);
            System.arraycopy(group, 0, test, at, take[g]);
            at += take[g];
        }
        return test;
    }

    private static int cap(int size) {
        return Math.max(0, size - 1);
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int[] complement(int[] sortedTest, int n) {
        int[] train = new int[n - sortedTest.length];
        int t = 0, at = 0;
        for (int r = 0; r < n; r++) {
            if (t < sortedTest.length && sortedTest[t] == r) t++;
            else train[at++] = r;
        }
        return train;
    }

    private static void checkClasses(int[] classes, int n) {
        if (classes.length != n) throw new IllegalArgumentException("split: " + classes.length + " class indices for " + n + " rows");
        for (int i = 0; i < n; i++) {
            if (classes[i] < 0) throw new IllegalArgumentException("split: row " + i + " has class " + classes[i]);
        }
    }
}
