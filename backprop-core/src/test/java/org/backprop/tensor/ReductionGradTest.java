package org.backprop.tensor;

import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.separated;
import static org.backprop.tensor.Fixtures.uniform;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Finite-difference checks of sum, mean and max (whole tensor and per axis) and the softmax family. */
class ReductionGradTest {

    private static final int[][] SHAPES = {{3, 5, 2}, {7, 1}, {1, 5}, {4}};

    @Test
    void wholeTensorReductions() {
        for (int[] shape : SHAPES) {
            Random rng = new Random(Arrays.hashCode(shape));
            gradcheck(in -> in[0].sum(), uniform(rng, -2, 2, shape));
            gradcheck(in -> in[0].mean(), uniform(rng, -2, 2, shape));
            gradcheck(in -> in[0].max(), separated(rng, shape));
        }
        gradcheck(in -> in[0].sum(), uniform(new Random(1), -2, 2)); // a scalar
    }

    @TestFactory
    List<DynamicTest> reductionsAlongEachAxis() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] shape : SHAPES) {
            for (int axis = -1; axis < shape.length; axis++) {
                for (boolean keep : new boolean[] {false, true}) {
                    int ax = axis;
                    String at = Arrays.toString(shape) + " axis " + ax + (keep ? " keepDim" : "");
                    Random rng = new Random(31L * Arrays.hashCode(shape) + 7 * ax + (keep ? 1 : 0));
                    tests.add(dynamicTest("sum " + at, () -> gradcheck(in -> in[0].sum(ax, keep), uniform(rng, -2, 2, shape))));
                    tests.add(dynamicTest("mean " + at, () -> gradcheck(in -> in[0].mean(ax, keep), uniform(rng, -2, 2, shape))));
                    tests.add(dynamicTest("max " + at, () -> gradcheck(in -> in[0].max(ax, keep), separated(rng, shape))));
                }
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> softmaxFamilyOnSeveralAxes() {
        int[][] shapes = {{3, 5}, {2, 3, 4}, {1, 5}, {7, 1}, {6}};
        List<DynamicTest> tests = new ArrayList<>();
        for (int[] shape : shapes) {
            for (int axis = -1; axis < shape.length; axis++) {
                int ax = axis;
                String at = Arrays.toString(shape) + " axis " + ax;
                Random rng = new Random(17L * Arrays.hashCode(shape) + ax);
                tests.add(dynamicTest("softmax " + at, () -> gradcheck(in -> in[0].softmax(ax), uniform(rng, -3, 3, shape))));
                tests.add(dynamicTest("logSoftmax " + at, () -> gradcheck(in -> in[0].logSoftmax(ax), uniform(rng, -3, 3, shape))));
            }
        }
        return tests;
    }

    @Test
    void reductionsOfNonContiguousViews() {
        Random rng = new Random(5);
        gradcheck(in -> in[0].t().sum(1, false), uniform(rng, -2, 2, 3, 5));
        gradcheck(in -> in[0].transpose(0, 2).softmax(1), uniform(rng, -2, 2, 2, 3, 4));
        gradcheck(in -> in[0].slice(1, 1, 4).logSoftmax(1), uniform(rng, -2, 2, 3, 5));
        gradcheck(in -> in[0].t().max(0, true), separated(rng, new int[] {3, 5}));
    }
}
