package org.backprop.tensor;

import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.uniform;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of matmul in each of its forms, including transposed-view operands. */
class MatMulGradTest {
    private final Random rng = new Random(2024);

    private Tensor u(int... shape) {
        return uniform(rng, -1.5, 1.5, shape);
    }

    @Test
    void twoDimensional() {
        gradcheck(in -> in[0].matmul(in[1]), u(3, 5), u(5, 7));
        gradcheck(in -> in[0].matmul(in[1]), u(1, 5), u(5, 3)); // batch of one
        gradcheck(in -> in[0].matmul(in[1]), u(7, 1), u(1, 3)); // outer product
        gradcheck(in -> in[0].matmul(in[1]), u(1, 7), u(7, 1)); // 1×1 result
        gradcheck(in -> in[0].matmul(in[1]), u(5, 9), u(9, 6)); // more than one micro-kernel tile of rows
    }

    @Test
    void transposedViewOperands() {
        gradcheck(in -> in[0].t().matmul(in[1]), u(5, 3), u(5, 4));
        gradcheck(in -> in[0].matmul(in[1].t()), u(3, 5), u(4, 5));
        gradcheck(in -> in[0].t().matmul(in[1].t()), u(5, 3), u(4, 5));
        gradcheck(in -> in[0].t().matmul(in[1]), u(5, 1), u(5, 4)); // a transposed column is a row
        // a linear layer as written in Linear: x·Wᵀ + b
        gradcheck(in -> in[0].matmul(in[1].t()).add(in[2]), u(3, 5), u(4, 5), u(4));
        // neither contiguous nor a plain transpose: a column slice of a transposed matrix
        gradcheck(in -> in[0].t().slice(1, 1, 4).matmul(in[1]), u(5, 3), u(3, 2));
    }

    @Test
    void batchedWithBroadcasting() {
        gradcheck(in -> in[0].matmul(in[1]), u(2, 3, 5), u(2, 5, 4));
        gradcheck(in -> in[0].matmul(in[1]), u(2, 3, 5), u(5, 4));    // shared right operand
        gradcheck(in -> in[0].matmul(in[1]), u(3, 5), u(2, 5, 4));    // shared left operand
        gradcheck(in -> in[0].matmul(in[1]), u(2, 1, 3, 5), u(3, 5, 2)); // batch axes broadcast both ways
        gradcheck(in -> in[0].matmul(in[1]), u(1, 1, 5), u(1, 5, 1)); // batch of one
        gradcheck(in -> in[0].transpose(1, 2).matmul(in[1]), u(2, 5, 3), u(2, 5, 4));
    }

    @Test
    void oneDimensionalOperands() {
        gradcheck(in -> in[0].matmul(in[1]), u(5), u(5, 3));       // row vector · matrix
        gradcheck(in -> in[0].matmul(in[1]), u(3, 5), u(5));       // matrix · column vector
        gradcheck(in -> in[0].matmul(in[1]), u(5), u(5));          // dot product
        gradcheck(in -> in[0].matmul(in[1]), u(4), u(2, 4, 3));    // vector · batch of matrices
        gradcheck(in -> in[0].matmul(in[1]), u(2, 3, 4), u(4));    // batch of matrices · vector
        gradcheck(in -> in[0].t().matmul(in[1]), u(5, 3), u(5));   // transposed matrix · vector
    }
}
