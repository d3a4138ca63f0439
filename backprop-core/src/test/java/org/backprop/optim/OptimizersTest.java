package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptimizersTest {
    private static List<Parameter> params() {
        return List.of(new Parameter(Tensor.of(new float[] {1f, 2f}, 2)));
    }

    @Test
    void eachNameBuildsItsRuleWithTheGivenSettings() {
        List<Class<?>> classes = List.of(SGD.class, Adam.class, AdamW.class, RMSprop.class, Adagrad.class);
        for (int i = 0; i < Optimizers.NAMES.size(); i++) {
            String name = Optimizers.NAMES.get(i);
            Optimizer o = Optimizers.create(name.toUpperCase(), params(), 0.25, 0.5, 0.125);
            assertInstanceOf(classes.get(i), o, name);
            assertEquals(0.25, o.lr(), name);
            assertTrue(o.toString().contains("weight_decay=0.125"), o.toString());
        }
        assertTrue(Optimizers.create("sgd", params(), 0.1, 0.5, 0).toString().contains("momentum=0.5"));
    }

    @Test
    void startingRatesAreTheRulesOwnButForSgdAndRmsprop() {
        assertEquals(Adam.DEFAULT_LR, Optimizers.defaultLr("adam"));
        assertEquals(Adam.DEFAULT_LR, Optimizers.defaultLr("adamw"));
        assertEquals(Adagrad.DEFAULT_LR, Optimizers.defaultLr("adagrad"));
        assertEquals(0.05, Optimizers.defaultLr("SGD"));
        assertEquals(1e-3, Optimizers.defaultLr("rmsprop"));
        String msg = assertThrows(IllegalArgumentException.class, () -> Optimizers.defaultLr("lion")).getMessage();
        assertEquals("unknown optimizer 'lion' (known: sgd, adam, adamw, rmsprop, adagrad)", msg);
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", params(), -1, 0, 0));
    }
}
