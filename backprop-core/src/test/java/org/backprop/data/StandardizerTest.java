package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class StandardizerTest {

    @Test
    void meansAndPopulationStdsByHand() {
        // column 0: 1, 2, 3, 6 → mean 3, variance (4+1+0+9)/4 = 3.5; column 1: constant 5
        Tensor x = Tensor.of(new float[] {1, 5, 2, 5, 3, 5, 6, 5}, 4, 2);
        Standardizer s = Standardizer.fit(x);
        assertArrayEquals(new float[] {3, 5}, s.means());
        assertEquals(Math.sqrt(3.5), s.stds()[0], 1e-6);
        assertEquals(0f, s.stds()[1]);
        float[] z = s.transform(x).toFloatArray();
        assertEquals(-2 / Math.sqrt(3.5), z[0], 1e-6);
        assertEquals(3 / Math.sqrt(3.5), z[6], 1e-6);
        // the constant column is centred, not divided by zero
        assertEquals(0f, z[1]);
        assertEquals(0f, z[7]);
        assertArrayEquals(x.toFloatArray(), s.inverseTransform(s.transform(x)).toFloatArray(), 1e-5f);
    }

    @Test
    void statisticsComeFromTheTrainingPartOnly() {
        // the two halves have very different means, so a leak of the test part would show
        Random rng = new Random(3);
        int n = 200;
        float[] x = new float[n * 2];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) (i < n / 2 ? rng.nextGaussian() : 100 + 10 * rng.nextGaussian());
            x[2 * i + 1] = i;
        }
        Dataset all = new Dataset(Tensor.wrap(x, n, 2), Tensor.arange(n));
        Dataset.Split split = all.split(0.3, 9);
        Standardizer s = Standardizer.fitFeatures(split.train());

        float[] tx = split.train().features().toFloatArray();
        int m = split.train().size();
        double sum = 0, ss = 0;
        for (int i = 0; i < m; i++) sum += tx[2 * i];
        double mean = sum / m;
        for (int i = 0; i < m; i++) ss += (tx[2 * i] - mean) * (tx[2 * i] - mean);
        assertEquals(mean, s.means()[0], 1e-3);
        assertEquals(Math.sqrt(ss / m), s.stds()[0], 1e-3);
        assertNotEquals(Standardizer.fitFeatures(all).means()[0], s.means()[0], 1e-2);

        // transformed training features have mean 0 and std 1; the test part generally does not
        float[] z = s.transformFeatures(split.train()).features().toFloatArray();
        double zs = 0, zss = 0;
        for (int i = 0; i < m; i++) {
            zs += z[2 * i];
            zss += z[2 * i] * z[2 * i];
        }
        assertEquals(0, zs / m, 1e-4);
        assertEquals(1, zss / m, 1e-3);
    }

    @Test
    void restoredFromItsStateItGivesTheSameResults() {
        Tensor x = Tensor.randn(new Random(1), 10, 3);
        Standardizer s = Standardizer.fit(x);
        Standardizer r = new Standardizer(s.means(), s.stds());
        assertArrayEquals(s.transform(x).toFloatArray(), r.transform(x).toFloatArray());
    }

    @Test
    void regressionTargetsRoundTrip() {
        Tensor y = Tensor.of(new float[] {10, 20, 40}, 3, 1);
        Standardizer s = Standardizer.fit(y);
        Tensor z = s.transform(y);
        assertArrayEquals(new int[] {3, 1}, z.shape());
        assertArrayEquals(y.toFloatArray(), s.inverseTransform(z).toFloatArray(), 1e-5f);
    }

    @Test
    void wrongWidthAndEmptyInputAreRejected() {
        Standardizer s = Standardizer.fit(Tensor.ones(2, 3));
        assertThrows(IllegalArgumentException.class, () -> s.transform(Tensor.ones(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(Tensor.zeros(0, 3)));
        assertThrows(IllegalArgumentException.class,
                () -> Standardizer.fit(Tensor.of(new float[] {1, Float.NaN}, 2, 1)));
    }
}
