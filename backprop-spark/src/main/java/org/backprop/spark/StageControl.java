package org.backprop.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.backprop.tensor.Tensor;

/**
 * The driver's line to the tasks of a barrier stage that spans several epochs: the socket each
 * task kept open after registering with the {@link Rendezvous}. At the end of every epoch
 * partition 0 sends its result (what a stage per epoch returned through {@code collect}: model
 * state, optimizer state, presence, trace) and every task waits for the driver's answer, sent once
 * the driver has loaded the result and run the schedule and the listeners (checkpoints): the
 * learning rate of the next epoch and, only when the driver's state is not what the tasks would
 * start from ({@link #next}: a listener changed the model or the optimizer), that state.
 *
 * <p>Wire format: task to driver, int epoch, int n, n little-endian floats; driver to task, double
 * learning rate, int length of a Java-serialised {@link Tasks.RoundInput} (0: none), its bytes.
 */
final class StageControl {
    private StageControl() {}

    /**
     * What every task starts the next epoch from when the driver sends no state: the result of
     * the epoch ({@code out}: state | optimizer state weighted 1 | presence) as the driver loads it
     * into its model and optimizer and broadcasts it again in a stage per epoch.
     */
    static Tasks.RoundInput next(float[] out, StateLayout layout, OptimizerStateLayout optLayout, double lr) {
        int presenceBase = layout.length() + optLayout.length();
        var opt = OptimizerStateLayout.flatten(optLayout.average(out, layout.length(), presenceBase));
        return new Tasks.RoundInput(Arrays.copyOf(out, layout.length()), opt, lr);
    }

    /** Whether two inputs start an epoch the same way: the same bits of state, and the same optimizer state key by key. */
    static boolean same(Tasks.RoundInput a, Tasks.RoundInput b) {
        if (!Arrays.equals(a.state(), b.state()) || a.lr() != b.lr()) return false;
        Map<String, Tensor> x = a.optimizer().toStateDict(), y = b.optimizer().toStateDict();
        if (!x.keySet().equals(y.keySet())) return false;
        for (String k : x.keySet()) {
            if (!Arrays.equals(x.get(k).shape(), y.get(k).shape())) return false;
            if (!Arrays.equals(x.get(k).toFloatArray(), y.get(k).toFloatArray())) return false;
        }
        return true;
    }

    /** A task's end of the line. */
    static final class TaskSide {
        private final DataOutputStream out;
        private final InputStream in;
        private final BooleanSupplier killed;

        TaskSide(Socket s, BooleanSupplier killed) throws IOException {
            s.setSoTimeout(1000); // wake to notice a killed task while the driver checkpoints
            s.setTcpNoDelay(true);
            this.out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16));
            this.in = s.getInputStream();
            this.killed = killed;
        }

        /** Partition 0: the epoch's result. */
        void send(int epoch, float[] result) throws IOException {
            byte[] bytes = new byte[4 * result.length];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(result);
            out.writeInt(epoch);
            out.writeInt(result.length);
            out.write(bytes);
            out.flush();
        }

        /** Waits for the driver's go-ahead: the next epoch's learning rate and, when the driver changed it, its state. */
        Reply await() throws IOException {
            byte[] head = new byte[12];
            Rendezvous.readFully(in, head, killed, "the driver");
            ByteBuffer h = ByteBuffer.wrap(head);
            double lr = h.getDouble();
            int length = h.getInt();
            if (length == 0) return new Reply(lr, null);
            byte[] body = new byte[length];
            Rendezvous.readFully(in, body, killed, "the driver");
            try (var o = new ObjectInputStream(new ByteArrayInputStream(body))) {
                return new Reply(lr, (Tasks.RoundInput) o.readObject());
            } catch (ClassNotFoundException e) {
                throw new IOException("the driver's state could not be read", e);
            }
        }
    }

    /** The driver's answer at an epoch's end. */
    record Reply(double lr, Tasks.RoundInput input) {}

    /** The driver's end: partition 0's results as they arrive, and the answers to every task. */
    static final class DriverSide implements AutoCloseable {
        private static final Object CLOSED = new Object();
        private final Socket[] sockets;
        private final BlockingQueue<Object> results = new LinkedBlockingQueue<>();
        private final Thread reader;

        DriverSide(Socket[] sockets) throws IOException {
            this.sockets = sockets;
            for (Socket s : sockets) {
                s.setSoTimeout(0); // an epoch takes as long as it takes; close() wakes the reader
                s.setTcpNoDelay(true);
            }
            var in = new DataInputStream(new java.io.BufferedInputStream(sockets[0].getInputStream(), 1 << 16));
            this.reader = Thread.ofVirtual().name("backprop-stage-results").start(() -> read(in));
        }

        private void read(DataInputStream in) {
            try {
                while (true) {
                    int epoch = in.readInt(), n = in.readInt();
                    byte[] bytes = new byte[4 * n];
                    in.readFully(bytes);
                    float[] r = new float[n];
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(r);
                    results.add(new Result(epoch, r));
                }
            } catch (IOException | RuntimeException e) {
                results.add(CLOSED); // the stage ended, failed, or the driver closed the line
            }
        }

        private record Result(int epoch, float[] values) {}

        /**
         * Partition 0's result of {@code epoch}, or null when the line closed without it (the stage
         * failed or ended) or {@code ended} says the job is over and nothing came within a grace period.
         */
        float[] result(int epoch, BooleanSupplier ended) throws InterruptedException {
            long graceEnd = Long.MAX_VALUE;
            while (true) {
                Object o = results.poll(200, TimeUnit.MILLISECONDS);
                if (o == CLOSED) return null;
                if (o instanceof Result r) {
                    if (r.epoch() != epoch) throw new IllegalStateException("barrier stage: epoch " + r.epoch() + " arrived, expected " + epoch);
                    return r.values();
                }
                if (ended.getAsBoolean()) {
                    if (graceEnd == Long.MAX_VALUE) graceEnd = System.nanoTime() + 2_000_000_000L; // a result still in flight
                    else if (System.nanoTime() > graceEnd) return null;
                }
            }
        }

        /** Lets every task start the next epoch at {@code lr}, from {@code state} when not null (else from its own result). */
        void answer(double lr, Tasks.RoundInput state) throws IOException {
            byte[] body = new byte[0];
            if (state != null) {
                var bytes = new ByteArrayOutputStream();
                try (var o = new ObjectOutputStream(bytes)) {
                    o.writeObject(state);
                }
                body = bytes.toByteArray();
            }
            byte[] message = ByteBuffer.allocate(12 + body.length).putDouble(lr).putInt(body.length).put(body).array();
            for (Socket s : sockets) {
                OutputStream out = s.getOutputStream();
                out.write(message);
                out.flush();
            }
        }

        @Override
        public void close() {
            for (Socket s : sockets) {
                Rendezvous.closeQuietly(s);
            }
            try {
                reader.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
