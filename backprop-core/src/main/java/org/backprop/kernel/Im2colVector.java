package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.backprop.shape.Window2d;

/** {@link Im2col}'s vector loops; loaded only when {@link Simd#VECTOR}. */
final class Im2colVector {
    private Im2colVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    /** One whole vector from x[from ..] to cols[to ..] (a short run copied without a System.arraycopy call). */
    static void copy(float[] x, int from, float[] cols, int to) {
        FloatVector.fromArray(S, x, from).intoArray(cols, to);
    }

    /**
     * Unit horizontal stride, an image row no wider than a vector (LeNet's 14×14 second layer):
     * each pixel row is held in one vector while the kw column rows that add onto it are added
     * as loads shifted by their offset, instead of kw scalar loops of OW floats.
     *
     * <p>No {@code indexInRange} and no masked store in the loop: HotSpot built those masks and
     * checked those stores in plain Java here (a negative offset takes the general path; JFR put
     * ~14% of a LeNet step in it). The masks are taken from a table built once, the loads are
     * whole vectors (zeroed outside the mask by a blend), and a row is stored whole: the lanes
     * past its end hold what was read there, so they are written back unchanged, except at the
     * end of the image, whose last row goes through a buffer (the next image may be another thread's).
     */
    static void narrowCol2im(float[] cols, int colOff, int ldCols, int channels, int h, int w, Window2d win,
                                     float[] dx, int dxOff) {
        int oh = win.outHeight(h), ow = win.outWidth(w), kw = win.kw();
        int imageEnd = dxOff + channels * h * w;
        FloatVector zero = FloatVector.zero(S);
        float[] row = new float[S.length()];
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] masks = new VectorMask[kw]; // lanes [lo + shift, hi + shift] of the pixel row, per j
        int[] los = new int[kw];
        for (int j = 0; j < kw; j++) {
            int shift = j - win.pw();
            int lo = Im2col.firstInside(shift, 1), hi = Im2col.lastInside(shift, w, 1, ow);
            los[j] = lo > hi ? -1 : lo;
            masks[j] = lo > hi ? null : PREFIX[hi + shift + 1].andNot(PREFIX[lo + shift]);
        }
        for (int c = 0; c < channels; c++) {
            int plane = dxOff + c * h * w;
            for (int i = 0; i < win.kh(); i++) {
                int row0 = colOff + ((c * win.kh() + i) * kw) * ldCols;
                for (int oy = 0; oy < oh; oy++) {
                    int iy = oy * win.sh() - win.ph() + i * win.dh();
                    if (iy < 0 || iy >= h) continue;
                    int d = plane + iy * w;
                    boolean whole = d + S.length() <= imageEnd;
                    FloatVector acc;
                    if (whole) {
                        acc = FloatVector.fromArray(S, dx, d);
                    } else {
                        System.arraycopy(dx, d, row, 0, w);
                        acc = FloatVector.fromArray(S, row, 0);
                    }
                    for (int j = 0; j < kw; j++) {
                        if (los[j] < 0) continue;
                        int shift = j - win.pw();
                        // lane t of the row takes output column t − shift
                        int at = row0 + j * ldCols + oy * ow - shift;
                        FloatVector add = at >= 0 && at + S.length() <= cols.length
                                ? FloatVector.fromArray(S, cols, at) : FloatVector.fromArray(S, cols, at, masks[j]);
                        acc = acc.add(zero.blend(add, masks[j]));
                    }
                    if (whole) {
                        acc.intoArray(dx, d);
                    } else {
                        acc.intoArray(row, 0);
                        System.arraycopy(row, 0, dx, d, w);
                    }
                }
            }
        }
    }

    /** PREFIX[n]: the first n lanes, built once (see {@link #narrowCol2im}). */
    @SuppressWarnings("unchecked")
    private static final VectorMask<Float>[] PREFIX = new VectorMask[S.length() + 1];

    static {
        for (int n = 0; n <= S.length(); n++) PREFIX[n] = S.indexInRange(0, n);
    }
}
