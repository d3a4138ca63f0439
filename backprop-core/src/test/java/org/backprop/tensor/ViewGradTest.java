package org.backprop.tensor;

import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.uniform;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of the view operations. Each view is followed by a position-dependent
 * op (multiplication by fixed weights, or a nonlinearity) so a gradient sent to the wrong element
 * would show.
 */
class ViewGradTest {
    private final Random rng = new Random(99);

    private Tensor u(int... shape) {
        return uniform(rng, -1.5, 1.5, shape);
    }

    @Test
    void transpose() {
        gradcheck(in -> in[0].t().mul(in[1]), u(3, 5), u(5, 3));
        gradcheck(in -> in[0].transpose(0, 2).mul(in[1]), u(2, 3, 4), u(4, 3, 2));
        gradcheck(in -> in[0].transpose(-1, 0).tanh(), u(7, 1));
        gradcheck(in -> in[0].t().t().mul(in[1]), u(3, 5), u(3, 5));
    }

    @Test
    void reshapeAndFlatten() {
        gradcheck(in -> in[0].reshape(5, 3).mul(in[1]), u(3, 5), u(5, 3));
        gradcheck(in -> in[0].reshape(-1).mul(in[1]), u(3, 5), u(15));
        gradcheck(in -> in[0].reshape(2, -1, 2).mul(in[1]), u(3, 4), u(2, 3, 2));
        gradcheck(in -> in[0].t().reshape(15).mul(in[1]), u(3, 5), u(15)); // reshape of a non-contiguous view copies
        gradcheck(in -> in[0].flatten(1).mul(in[1]), u(2, 3, 4), u(2, 12));
        gradcheck(in -> in[0].flatten(0).mul(in[1]), u(2, 3, 4), u(24));
        gradcheck(in -> in[0].reshape(1).exp(), u());
    }

    @Test
    void slice() {
        gradcheck(in -> in[0].slice(0, 1, 3).mul(in[1]), u(3, 5), u(2, 5));
        gradcheck(in -> in[0].slice(1, 2, 5).mul(in[1]), u(3, 5), u(3, 3));
        gradcheck(in -> in[0].slice(-1, 0, 1).tanh(), u(7, 4));
        gradcheck(in -> in[0].slice(1, 1, 3).slice(0, 1, 2).exp(), u(3, 5)); // slice of a slice
        gradcheck(in -> in[0].slice(0, 0, 2).add(in[0].slice(0, 1, 3)), u(3, 5)); // overlapping windows accumulate
        gradcheck(in -> in[0].t().slice(0, 1, 4).mul(in[1]), u(3, 5), u(3, 3));
    }

    @Test
    void unsqueezeAndSqueeze() {
        gradcheck(in -> in[0].unsqueeze(0).mul(in[1]), u(3, 5), u(2, 1, 5));
        gradcheck(in -> in[0].unsqueeze(-1).mul(in[1]), u(3, 5), u(3, 5, 2));
        gradcheck(in -> in[0].unsqueeze(1).mul(in[1]), u(3), u(3, 4));
        gradcheck(in -> in[0].squeeze(1).mul(in[1]), u(7, 1), u(7));
        gradcheck(in -> in[0].squeeze(0).mul(in[1]), u(1, 5), u(5));
    }

    @Test
    void contiguous() {
        gradcheck(in -> in[0].t().contiguous().mul(in[1]), u(3, 5), u(5, 3));
        gradcheck(in -> in[0].contiguous().exp(), u(3, 5)); // already contiguous: the same tensor
        gradcheck(in -> in[0].transpose(0, 1).contiguous().reshape(3, 8).mul(in[1]), u(2, 3, 4), u(3, 8));
    }
}
