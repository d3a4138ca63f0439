package org.backprop.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the tasks of a barrier stage swap their {@link PeerLinks} addresses: a small TCP server on
 * the driver, open for one {@code fit}. Spark's {@code BarrierTaskContext.allGather} would do, but
 * its caller polls for the reply once a second, so every stage paid about a second for the swap
 * (36 ms a round at 30 rounds an epoch, more than the exchanges themselves). Here each task
 * sends (stage, attempt, partition, address) and gets every partition's address back as soon as
 * the last task of its stage attempt has registered: one round trip to the driver per task and
 * stage. The sockets stay open: they are the stage's lines between the driver and its tasks at
 * every epoch's end ({@link StageControl}, {@link #awaitStage}).
 *
 * <p>The executors reach the driver at {@code spark.driver.host} as they do for Spark's own RPC;
 * where only Spark's ports are open, set {@code spark.backprop.barrierRendezvous=allGather} to
 * swap through Spark (a second per stage, and a stage per epoch). A per-run random secret keeps stray connections out.
 */
final class Rendezvous implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Rendezvous.class);
    static final String MODE_KEY = "spark.backprop.barrierRendezvous";

    /** What a task needs to register: the driver's address and the run's secret (null host: use allGather). */
    record Ticket(String host, int port, long secret) implements Serializable {
        static final Ticket ALL_GATHER = new Ticket(null, 0, 0);
    }

    private final ServerSocket server;
    private final long secret;
    private final Ticket ticket;
    private final Map<Long, Group> groups = new HashMap<>(); // by stage key (epoch, attempt)
    // complete stage attempts, their tasks' sockets by partition, kept open as the stage's control lines
    private final java.util.concurrent.BlockingQueue<Socket[]> joined = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread acceptor;

    private Rendezvous(SparkConf conf) throws IOException {
        String host = conf.get("spark.driver.host", InetAddress.getLocalHost().getHostAddress());
        String bind = conf.get("spark.driver.bindAddress", host);
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(bind), 0), 64);
        this.secret = new SecureRandom().nextLong();
        this.ticket = new Ticket(host, server.getLocalPort(), secret);
        this.acceptor = Thread.ofPlatform().daemon().name("backprop-barrier-rendezvous").start(this::acceptLoop);
    }

    /** A rendezvous for this run, or null when the configuration asks for allGather. */
    static Rendezvous open(SparkConf conf) {
        String mode = conf.get(MODE_KEY, "driver");
        if (mode.equals("allGather")) return null;
        if (!mode.equals("driver")) {
            throw new IllegalArgumentException(MODE_KEY + " must be 'driver' or 'allGather', got '" + mode + "'");
        }
        try {
            return new Rendezvous(conf);
        } catch (IOException e) {
            LOG.warn("cannot open the barrier rendezvous on the driver ({}): the tasks swap addresses through allGather", e.toString());
            return null;
        }
    }

    Ticket ticket() {
        return ticket;
    }

    /**
     * The control lines (by partition) of the next stage attempt whose tasks have all registered,
     * or null once {@code ended} says the job is over (its tasks failed before registering).
     */
    Socket[] awaitStage(BooleanSupplier ended) throws InterruptedException {
        while (true) {
            Socket[] s = joined.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (s != null) return s;
            if (ended.getAsBoolean()) return joined.poll();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> register(s));
            } catch (IOException e) {
                if (!server.isClosed()) LOG.debug("barrier rendezvous: accept failed", e);
            }
        }
    }

    /** One task's registration: answered when its stage attempt is complete. */
    private void register(Socket s) {
        try {
            s.setSoTimeout(30_000); // the header comes at once; the answer may wait for slower tasks
            var in = new DataInputStream(s.getInputStream());
            if (in.readLong() != secret) {
                s.close();
                return;
            }
            long key = in.readLong();
            int n = in.readInt(), partition = in.readInt();
            String address = in.readUTF();
            Group done = null;
            synchronized (groups) {
                Group g = groups.computeIfAbsent(key, k -> new Group(n));
                if (g.n != n || partition < 0 || partition >= n) {
                    s.close();
                    return;
                }
                Socket old = g.sockets.put(partition, s);
                if (old != null) old.close(); // a task of this attempt registering again
                g.addresses.put(partition, address);
                if (g.sockets.size() == n) done = groups.remove(key);
                // epochs run one after another: an earlier stage attempt still waiting here failed; let its tasks go
                var stale = groups.entrySet().iterator();
                while (stale.hasNext()) {
                    var e = stale.next();
                    if (e.getKey() < key) {
                        e.getValue().drop();
                        stale.remove();
                    }
                }
            }
            if (done != null) {
                done.answer();
                joined.add(done.sockets.values().toArray(new Socket[0]));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
        }
    }

    private static final class Group {
        final int n;
        final Map<Integer, Socket> sockets = new TreeMap<>();
        final Map<Integer, String> addresses = new TreeMap<>();

        Group(int n) {
            this.n = n;
        }

        void answer() throws IOException {
            var bytes = new java.io.ByteArrayOutputStream();
            var body = new DataOutputStream(bytes);
            for (String a : addresses.values()) body.writeUTF(a);
            body.flush();
            for (Socket s : sockets.values()) {
                try {
                    var out = new DataOutputStream(s.getOutputStream());
                    out.writeInt(bytes.size());
                    bytes.writeTo(out);
                    out.flush();
                } catch (IOException e) {
                    // that task is gone; its stage attempt fails on its own (and the driver sees its line closed)
                }
            }
        }

        void drop() {
            for (Socket s : sockets.values()) {
                closeQuietly(s);
            }
        }
    }

    /** The key of one stage attempt: epochs are below 2^31 and a stage is tried a few times. */
    static long key(int epoch, int attempt) {
        return ((long) epoch << 16) | (attempt & 0xFFFF);
    }

    /** Every partition's link address, and this task's open line to the driver ({@link StageControl}). */
    record Joined(String[] addresses, Socket control) {}

    /**
     * Task side: registers {@code address} for {@code partition} of {@code n} and returns every
     * partition's address, waking every second to give up when {@code killed} says so. The socket
     * stays open: the caller closes it.
     */
    static Joined swap(Ticket t, long key, int n, int partition, String address, BooleanSupplier killed) throws IOException {
        Socket s = new Socket();
        try {
            try {
                s.connect(new InetSocketAddress(t.host(), t.port()), 30_000);
            } catch (IOException e) {
                throw new IOException("cannot reach the driver's barrier rendezvous at " + t.host() + ":" + t.port() + " (" + e
                        + "); if executors may only open Spark's own ports to the driver, set " + MODE_KEY + "=allGather", e);
            }
            var out = new DataOutputStream(s.getOutputStream());
            out.writeLong(t.secret());
            out.writeLong(key);
            out.writeInt(n);
            out.writeInt(partition);
            out.writeUTF(address);
            out.flush();
            s.setSoTimeout(1000);
            String what = "the driver's barrier rendezvous";
            byte[] head = new byte[4];
            readFully(s.getInputStream(), head, killed, what);
            byte[] body = new byte[java.nio.ByteBuffer.wrap(head).getInt()];
            readFully(s.getInputStream(), body, killed, what);
            var in = new DataInputStream(new java.io.ByteArrayInputStream(body));
            String[] all = new String[n];
            for (int j = 0; j < n; j++) all[j] = in.readUTF();
            return new Joined(all, s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Reads {@code into} whole, waking at each socket timeout to give up when {@code killed} says so. */
    static void readFully(java.io.InputStream in, byte[] into, BooleanSupplier killed, String from) throws IOException {
        readFully(in, into, 0, into.length, killed, from);
    }

    /** Reads {@code into[from, from + length)}, waking at each socket timeout to give up when {@code killed} says so. */
    static void readFully(java.io.InputStream in, byte[] into, int offset, int length, BooleanSupplier killed, String from)
            throws IOException {
        int at = offset, end = offset + length;
        while (at < end) {
            int r;
            try {
                r = in.read(into, at, end - at);
            } catch (SocketTimeoutException e) {
                if (killed.getAsBoolean()) throw new IOException("the task was killed while waiting for " + from);
                continue;
            }
            if (r < 0) throw new IOException(from + " closed its link (it failed or was killed)");
            at += r;
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        synchronized (groups) {
            for (Group g : groups.values()) g.drop();
            groups.clear();
        }
        for (Socket[] stage; (stage = joined.poll()) != null; ) {
            for (Socket s : stage) {
                closeQuietly(s);
            }
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes a socket or server being given up (broken, or at the end), ignoring a failure to close. */
    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing more to do with it
        }
    }
}
