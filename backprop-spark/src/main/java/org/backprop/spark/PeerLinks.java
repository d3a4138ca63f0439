package org.backprop.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.BarrierTaskContext;

/**
 * Direct links between the tasks of a barrier stage, for the rounds' exchanges. Spark's own
 * {@code BarrierTaskContext.allGather} waits for its reply by polling once a second (Spark 4.2's
 * {@code runBarrier} sleeps 1 s between checks), so a round through it costs about a second
 * whatever the payload. Instead each task opens a server socket, the tasks swap the addresses once
 * per stage through the driver's {@link Rendezvous} (or one {@code allGather} where configured),
 * (keeping the line to the driver open for the stage's epoch ends, {@link StageControl}),
 * and every round each task sends its share (raw little-endian floats) to every other task over
 * TCP and sums all shares in partition order: every task gets the same bits. The byte and float
 * buffers are the link's own, reused every round; a peer's share is read and added 64 KiB at a
 * time, not held whole. Reads wake every second to give up when Spark
 * kills the task (a failed peer fails the stage).
 */
final class PeerLinks implements AutoCloseable {
    private static final int CONNECT_MILLIS = 120_000;

    private final BarrierTaskContext ctx;
    private final int me;
    private final Socket[] sockets; // by partition; null at {@code me}
    private final java.io.OutputStream[] out;
    private final InputStream[] in;
    private static final int CHUNK_FLOATS = 16 * 1024; // 64 KiB a read
    private byte[] message = new byte[0];
    private final byte[] chunk = new byte[4 * CHUNK_FLOATS];
    private final float[] share = new float[CHUNK_FLOATS];
    private float[] sum = new float[0];
    private long wait;
    private final Socket control;

    private PeerLinks(BarrierTaskContext ctx, Socket[] sockets, Socket control) throws IOException {
        this.ctx = ctx;
        this.control = control;
        this.me = ctx.partitionId();
        this.sockets = sockets;
        this.out = new java.io.OutputStream[sockets.length];
        this.in = new InputStream[sockets.length];
        for (int j = 0; j < sockets.length; j++) {
            if (sockets[j] == null) continue;
            sockets[j].setTcpNoDelay(true);
            sockets[j].setSoTimeout(1000);
            out[j] = sockets[j].getOutputStream(); // one write of a whole message: no buffering needed
            in[j] = sockets[j].getInputStream();
        }
    }

    /**
     * Connects every task of the stage to every other (task i dials the lower partitions, accepts
     * the higher ones), swapping addresses through {@code ticket}'s rendezvous (its host null:
     * through {@code allGather}) for the stage attempt {@code key}. Through the rendezvous, the
     * links also hold this task's open line to the driver ({@link #control()}), one task alone included.
     */
    static PeerLinks open(BarrierTaskContext ctx, Rendezvous.Ticket ticket, int firstEpoch) throws IOException {
        int n = ctx.getTaskInfos().length, me = ctx.partitionId();
        Socket[] sockets = new Socket[n];
        if (n == 1 && ticket.host() == null) return new PeerLinks(ctx, sockets, null);
        Socket control = null;
        try (ServerSocket server = n == 1 ? null : new ServerSocket(0, n)) {
            String mine = server == null ? "-" : host(ctx.getTaskInfos()[me].address()) + " " + server.getLocalPort();
            String[] peers;
            if (ticket.host() == null) {
                peers = ctx.allGather(mine);
            } else {
                var joined = Rendezvous.swap(ticket, Rendezvous.key(firstEpoch, ctx.stageAttemptNumber()), n, me, mine, ctx::isInterrupted);
                control = joined.control();
                peers = joined.addresses();
            }
            for (int j = 0; j < me; j++) {
                String[] a = peers[j].split(" ");
                Socket s = new Socket();
                s.connect(new InetSocketAddress(a[0], Integer.parseInt(a[1])), CONNECT_MILLIS);
                new DataOutputStream(s.getOutputStream()).writeInt(me);
                sockets[j] = s;
            }
            if (server != null) server.setSoTimeout(CONNECT_MILLIS);
            for (int k = me + 1; k < n; k++) {
                Socket s = server.accept();
                s.setSoTimeout(CONNECT_MILLIS);
                int from = new DataInputStream(s.getInputStream()).readInt();
                if (from <= me || from >= n || sockets[from] != null) throw new IOException("unexpected peer " + from);
                sockets[from] = s;
            }
        } catch (IOException | RuntimeException e) {
            for (Socket s : sockets) if (s != null) s.close();
            if (control != null) control.close();
            throw e;
        }
        return new PeerLinks(ctx, sockets, control);
    }

    /** This task's line to the driver (null: addresses swapped through allGather, a stage per epoch). */
    Socket control() {
        return control;
    }

    /** The host part of a task's address ("host" or "host:port"). */
    static String host(String address) {
        int colon = address.indexOf(':');
        return colon > 0 && colon == address.lastIndexOf(':') ? address.substring(0, colon) : address;
    }

    /**
     * Sends {@code mine} to every other task and returns every task's share summed in partition
     * order, in an array of this link's that the next call overwrites. Each peer's share is added
     * chunk by chunk as it arrives (the chunk's decoding and adding overlap the rest's transfer);
     * each element still gets the shares added in partition order, so the bits are those of
     * summing whole arrays.
     */
    float[] sum(float[] mine) throws IOException, InterruptedException {
        int n = sockets.length, bytes = 4 * mine.length;
        if (sum.length != mine.length) {
            sum = new float[mine.length];
            message = new byte[4 + bytes];
        }
        if (n == 1) {
            System.arraycopy(mine, 0, sum, 0, mine.length);
            return sum;
        }
        ByteBuffer.wrap(message).putInt(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(mine);
        Thread[] writers = new Thread[n];
        IOException[] failed = new IOException[n];
        for (int j = 0; j < n; j++) {
            if (j == me) continue;
            int peer = j;
            writers[j] = Thread.ofVirtual().start(() -> { // both ends write before reading: never block on a full buffer
                try {
                    out[peer].write(message);
                    out[peer].flush();
                } catch (IOException e) {
                    failed[peer] = e;
                }
            });
        }
        long start = System.nanoTime();
        wait = 0;
        for (int j = 0; j < n; j++) {
            if (j == me) {
                if (j == 0) System.arraycopy(mine, 0, sum, 0, mine.length);
                else for (int i = 0; i < sum.length; i++) sum[i] += mine[i];
            } else {
                receive(j, bytes, start);
            }
        }
        for (int j = 0; j < n; j++) {
            if (writers[j] != null) writers[j].join();
            if (failed[j] != null) throw failed[j];
        }
        return sum;
    }

    /** Nanoseconds the last {@link #sum} waited for the slowest peer's share to start arriving. */
    long waitNanos() {
        return wait;
    }

    /** Reads {@code peer}'s share a chunk at a time into {@link #sum}: copied when it is partition 0's, else added. */
    private void receive(int peer, int expected, long start) throws IOException {
        String from = "task " + peer;
        Rendezvous.readFully(in[peer], chunk, 0, 4, ctx::isInterrupted, from);
        wait = Math.max(wait, System.nanoTime() - start);
        int length = ByteBuffer.wrap(chunk).getInt();
        if (length != expected) throw new IOException(from + " sent " + length + " bytes, expected " + expected);
        for (int at = 0; at < sum.length; at += CHUNK_FLOATS) {
            int c = Math.min(CHUNK_FLOATS, sum.length - at);
            Rendezvous.readFully(in[peer], chunk, 0, 4 * c, ctx::isInterrupted, from);
            ByteBuffer.wrap(chunk, 0, 4 * c).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(share, 0, c);
            if (peer == 0) System.arraycopy(share, 0, sum, at, c);
            else for (int i = 0; i < c; i++) sum[at + i] += share[i];
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket s : sockets) if (s != null) s.close();
        if (control != null) control.close();
    }
}
