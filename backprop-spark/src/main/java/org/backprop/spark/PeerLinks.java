package org.backprop.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.BarrierTaskContext;

/**
 * Direct links between the tasks of a barrier stage, for the rounds' exchanges. Spark's own
 * {@code BarrierTaskContext.allGather} waits for its reply by polling once a second (Spark 4.2's
 * {@code runBarrier} sleeps 1 s between checks), so a round through it costs about a second
 * whatever the payload. Instead each task opens a server socket, one {@code allGather} per stage
 * swaps the addresses, and every round each task sends its share (raw little-endian floats) to
 * every other task over TCP and sums all shares in partition order: every task gets the same bits.
 * Reads wake every second to give up when Spark kills the task (a failed peer fails the stage).
 */
final class PeerLinks implements AutoCloseable {
    private static final int CONNECT_MILLIS = 120_000;

    private final BarrierTaskContext ctx;
    private final int me;
    private final Socket[] sockets; // by partition; null at {@code me}
    private final DataOutputStream[] out;
    private final InputStream[] in;

    private PeerLinks(BarrierTaskContext ctx, Socket[] sockets) throws IOException {
        this.ctx = ctx;
        this.me = ctx.partitionId();
        this.sockets = sockets;
        this.out = new DataOutputStream[sockets.length];
        this.in = new InputStream[sockets.length];
        for (int j = 0; j < sockets.length; j++) {
            if (sockets[j] == null) continue;
            sockets[j].setTcpNoDelay(true);
            sockets[j].setSoTimeout(1000);
            out[j] = new DataOutputStream(new java.io.BufferedOutputStream(sockets[j].getOutputStream(), 1 << 16));
            in[j] = sockets[j].getInputStream();
        }
    }

    /** Connects every task of the stage to every other (task i dials the lower partitions, accepts the higher ones). */
    static PeerLinks open(BarrierTaskContext ctx) throws IOException {
        int n = ctx.getTaskInfos().length, me = ctx.partitionId();
        Socket[] sockets = new Socket[n];
        try (ServerSocket server = new ServerSocket(0, n)) {
            String[] peers = ctx.allGather(host(ctx.getTaskInfos()[me].address()) + " " + server.getLocalPort());
            for (int j = 0; j < me; j++) {
                String[] a = peers[j].split(" ");
                Socket s = new Socket();
                s.connect(new InetSocketAddress(a[0], Integer.parseInt(a[1])), CONNECT_MILLIS);
                new DataOutputStream(s.getOutputStream()).writeInt(me);
                sockets[j] = s;
            }
            server.setSoTimeout(CONNECT_MILLIS);
            for (int k = me + 1; k < n; k++) {
                Socket s = server.accept();
                s.setSoTimeout(CONNECT_MILLIS);
                int from = new DataInputStream(s.getInputStream()).readInt();
                if (from <= me || from >= n || sockets[from] != null) throw new IOException("unexpected peer " + from);
                sockets[from] = s;
            }
        } catch (IOException | RuntimeException e) {
            for (Socket s : sockets) if (s != null) s.close();
            throw e;
        }
        return new PeerLinks(ctx, sockets);
    }

    /** The host part of a task's address ("host" or "host:port"). */
    static String host(String address) {
        int colon = address.indexOf(':');
        return colon > 0 && colon == address.lastIndexOf(':') ? address.substring(0, colon) : address;
    }

    /** Sends {@code mine} to every other task and returns every task's share summed in partition order. */
    float[] sum(float[] mine) throws IOException, InterruptedException {
        ByteBuffer bytes = ByteBuffer.allocate(4 * mine.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(mine);
        byte[] message = bytes.array();
        int n = sockets.length;
        Thread[] writers = new Thread[n];
        IOException[] failed = new IOException[n];
        for (int j = 0; j < n; j++) {
            if (j == me) continue;
            int peer = j;
            writers[j] = Thread.ofVirtual().start(() -> { // both ends write before reading: never block on a full buffer
                try {
                    out[peer].writeInt(message.length);
                    out[peer].write(message);
                    out[peer].flush();
                } catch (IOException e) {
                    failed[peer] = e;
                }
            });
        }
        float[] sum = null;
        for (int j = 0; j < n; j++) {
            float[] share = j == me ? mine : read(j, message.length);
            if (sum == null) sum = share.clone();
            else for (int i = 0; i < sum.length; i++) sum[i] += share[i];
        }
        for (int j = 0; j < n; j++) {
            if (writers[j] != null) writers[j].join();
            if (failed[j] != null) throw failed[j];
        }
        return sum;
    }

    private float[] read(int peer, int expected) throws IOException {
        byte[] head = new byte[4];
        readFully(peer, head);
        int length = ByteBuffer.wrap(head).getInt();
        if (length != expected) throw new IOException("task " + peer + " sent " + length + " bytes, expected " + expected);
        byte[] body = new byte[length];
        readFully(peer, body);
        float[] out = new float[length / 4];
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private void readFully(int peer, byte[] into) throws IOException {
        int at = 0;
        while (at < into.length) {
            int r;
            try {
                r = in[peer].read(into, at, into.length - at);
            } catch (SocketTimeoutException e) {
                if (ctx.isInterrupted()) throw new IOException("the task was killed while waiting for task " + peer);
                continue;
            }
            if (r < 0) throw new IOException("task " + peer + " closed its link (it failed or was killed)");
            at += r;
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket s : sockets) if (s != null) s.close();
    }
}
